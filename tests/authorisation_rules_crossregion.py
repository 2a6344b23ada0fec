"""Who may call each page and API operation of the crossregion app (merged into ``authorisation_rules.RULES``).

跨域通办 at the filing instance: anyone may see which other regions' items can be filed here; filing
and the remote cases are for applicants (staff are sent to their workbench or refused 403); a probed
item or case that does not exist is a 404.  ``/api/v1/crossregion/node/items`` answers signed
requests of registered peer nodes only: every user gets 401.
"""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, EVERYONE, NOBODY, Rule

RULES: dict[str, Rule] = {
    "PAGE /crossregion/": Rule(EVERYONE),
    "PAGE /crossregion/items/<uuid:item_id>/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /crossregion/mine/": Rule(APPLICANTS),
    "PAGE /crossregion/mine/<uuid:case_id>/": Rule(APPLICANTS, absent_ok=True),
    "GET /api/v1/crossregion/node/items": Rule(NOBODY),
    "GET /api/v1/crossregion/items": Rule(APPLICANTS),
    "POST /api/v1/crossregion/cases": Rule(APPLICANTS, body={}),
    "GET /api/v1/crossregion/cases": Rule(APPLICANTS),
    "GET /api/v1/crossregion/cases/{case_id}": Rule(APPLICANTS, absent_ok=True),
}
