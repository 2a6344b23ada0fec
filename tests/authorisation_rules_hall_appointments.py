"""Who may call each page and API operation of the hall's appointments (/api/v1/hall/ slots, appointments, blocks; /my/appointments/; /workbench/hall/appointments/)
(merged into ``authorisation_rules.RULES``)."""

from __future__ import annotations

from authorisation_rules_base import Rule

RULES: dict[str, Rule] = {}
