"""Who may call each page and API operation of the crossregion app (merged into ``authorisation_rules.RULES``)."""

from __future__ import annotations

from authorisation_rules_base import Rule

RULES: dict[str, Rule] = {}
