"""Who may call each page and API operation of 帮办代办 (/api/v1/hall/agency…; /workbench/hall/agency/)
(merged into ``authorisation_rules.RULES``).

Hall staff (window clerks of the hall's region) record, list, revoke and — as the helping agent —
apply; applicants list the authorisations where they are the principal or the agent (the API only).
A probed authorisation does not exist, so the object endpoints answer 404 to everyone.
"""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, NOBODY, Rule, of

AGENCY_STAFF = of("clerk", "clerk_ps")

RULES: dict[str, Rule] = {
    "PAGE /workbench/hall/agency/": Rule(AGENCY_STAFF),
    "PAGE /workbench/hall/agency/record/": Rule(AGENCY_STAFF, absent_ok=True),
    "PAGE /workbench/hall/agency/<uuid:authorisation_id>/": Rule(NOBODY, absent_ok=True),
    "PAGE /workbench/hall/agency/<uuid:authorisation_id>/revoke/": Rule(NOBODY, absent_ok=True),
    "PAGE /workbench/hall/agency/<uuid:authorisation_id>/apply/": Rule(NOBODY, absent_ok=True),
    "GET /api/v1/hall/agency": Rule(APPLICANTS | AGENCY_STAFF),
    "POST /api/v1/hall/agency": Rule(AGENCY_STAFF, body={}),
    "GET /api/v1/hall/agency/{authorisation_id}": Rule(NOBODY, absent_ok=True),
    "POST /api/v1/hall/agency/{authorisation_id}/revoke": Rule(
        NOBODY, absent_ok=True, body={"reason": "probe"}
    ),
    "POST /api/v1/hall/agency/{authorisation_id}/apply": Rule(NOBODY, absent_ok=True, body={}),
}
