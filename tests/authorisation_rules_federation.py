"""Who may call each page and API operation of the federation app (merged into ``authorisation_rules.RULES``).

省市协同 (docs/federation.md): the system administrator (``admin``) and the data officials
(``data_official``, no probe identity holds it) read everything and start a sync; the supervisor
(监察人员) reads only.  No probed object exists in the federated tables, so the detail rows are
``absent_ok``.
"""

from __future__ import annotations

from authorisation_rules_base import Rule, of

READERS = of("admin", "supervisor")

RULES: dict[str, Rule] = {
    "GET /api/v1/federation/overview": Rule(READERS),
    "GET /api/v1/federation/cases": Rule(READERS),
    "GET /api/v1/federation/cases/{case_id}": Rule(READERS, absent_ok=True),
    "GET /api/v1/federation/licences": Rule(READERS),
    "GET /api/v1/federation/ratings": Rule(READERS),
    "GET /api/v1/federation/findings": Rule(READERS),
    "GET /api/v1/federation/backflow": Rule(READERS),
    "POST /api/v1/federation/sync": Rule(of("admin")),
    "PAGE /workbench/federation/": Rule(READERS),
    "PAGE /workbench/federation/cases/": Rule(READERS),
    "PAGE /workbench/federation/cases/<uuid:public_id>/": Rule(READERS, absent_ok=True),
    "PAGE /workbench/federation/licences/": Rule(READERS),
    "PAGE /workbench/federation/ratings/": Rule(READERS),
    "PAGE /workbench/federation/findings/": Rule(READERS),
    "PAGE /workbench/federation/backflow/": Rule(READERS),
    "PAGE /workbench/federation/sync/": Rule(of("admin")),
}
