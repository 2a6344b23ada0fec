"""Who may call each page and API operation of `assessment` (merged into ``authorisation_rules.RULES``).

Schemes, sources and writes are for supervisors (监察人员) only: everyone else is refused (403; the
probed scheme and run ids do not exist, so the supervisor gets 404 where an id is probed).  The run
list and a run answer every staff member (the published runs of his department); applicants 403.
"""

from __future__ import annotations

from authorisation_rules_base import STAFF, Rule, of

SUPERVISOR = of("supervisor")
SCHEME = {"name": "x", "level": "department", "period_kind": "quarter", "indicators": []}

RULES: dict[str, Rule] = {
    "GET /api/v1/supervision/assessment/sources": Rule(SUPERVISOR),
    "GET /api/v1/supervision/assessment/schemes": Rule(SUPERVISOR),
    "POST /api/v1/supervision/assessment/schemes": Rule(SUPERVISOR, body=SCHEME),
    "GET /api/v1/supervision/assessment/schemes/{scheme_id}": Rule(SUPERVISOR, absent_ok=True),
    "PUT /api/v1/supervision/assessment/schemes/{scheme_id}": Rule(SUPERVISOR, body=SCHEME, absent_ok=True),
    "POST /api/v1/supervision/assessment/schemes/{scheme_id}/publish": Rule(SUPERVISOR, absent_ok=True),
    "POST /api/v1/supervision/assessment/schemes/{scheme_id}/retire": Rule(SUPERVISOR, absent_ok=True),
    "POST /api/v1/supervision/assessment/schemes/{scheme_id}/versions": Rule(SUPERVISOR, absent_ok=True),
    "GET /api/v1/supervision/assessment/runs": Rule(STAFF),
    "POST /api/v1/supervision/assessment/runs": Rule(SUPERVISOR, absent_ok=True),
    "GET /api/v1/supervision/assessment/runs/{run_id}": Rule(STAFF, absent_ok=True),
    "POST /api/v1/supervision/assessment/runs/{run_id}/publish": Rule(STAFF, absent_ok=True),
    "GET /api/v1/supervision/assessment/runs/{run_id}/xlsx": Rule(STAFF, absent_ok=True),
    "GET /api/v1/supervision/assessment/runs/{run_id}/pdf": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/assessment/": Rule(STAFF),
    "PAGE /workbench/assessment/schemes/": Rule(SUPERVISOR),
    "PAGE /workbench/assessment/schemes/<uuid:scheme_id>/": Rule(SUPERVISOR, absent_ok=True),
    "PAGE /workbench/assessment/schemes/<uuid:scheme_id>/publish/": Rule(SUPERVISOR, absent_ok=True),
    "PAGE /workbench/assessment/schemes/<uuid:scheme_id>/retire/": Rule(SUPERVISOR, absent_ok=True),
    "PAGE /workbench/assessment/schemes/<uuid:scheme_id>/version/": Rule(SUPERVISOR, absent_ok=True),
    "PAGE /workbench/assessment/schemes/<uuid:scheme_id>/run/": Rule(SUPERVISOR, absent_ok=True),
    "PAGE /workbench/assessment/runs/<uuid:run_id>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/assessment/runs/<uuid:run_id>/publish/": Rule(STAFF, absent_ok=True),
}
