"""Who may call each page and API operation of `ratings` (merged into ``authorisation_rules.RULES``).

The rating page and the token endpoints are public (the token is the key; the probed token does not
exist, so everyone gets 404).  Rectifications: the lists answer every staff member (their
department's tasks, supervisors those of their data scope; applicants get an empty list from the
API); the probed ids do not exist.  Indicators: staff of a department holding a department role
(window clerk, handler, approver, service manager), supervisors and the system administrator.
Export of the national feed: supervisors and the system administrator.
"""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, EVERYONE, STAFF, USERS, Rule, of

INDICATOR_READERS = of("clerk", "clerk_ps", "approver", "manager", "supervisor", "admin")

RULES: dict[str, Rule] = {
    "PAGE /rate/<str:token>/": Rule(EVERYONE, absent_ok=True),
    "PAGE /workbench/ratings/": Rule(STAFF),
    "PAGE /workbench/ratings/indicators/": Rule(INDICATOR_READERS),
    "PAGE /workbench/ratings/<uuid:rectification_id>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/ratings/<uuid:rectification_id>/<str:action>/": Rule(STAFF, absent_ok=True),
    "GET /api/v1/ratings/reasons": Rule(EVERYONE),
    "GET /api/v1/ratings/invitations/{token}": Rule(EVERYONE, absent_ok=True),
    "POST /api/v1/ratings/invitations/{token}/rating": Rule(
        EVERYONE, absent_ok=True, body={"level": 5, "channel": "pc"}
    ),
    "POST /api/v1/ratings/invitations/{token}/followup": Rule(
        EVERYONE, absent_ok=True, body={"comment": "x"}
    ),
    "GET /api/v1/ratings/mine": Rule(USERS),
    "GET /api/v1/ratings/rectifications": Rule(USERS),
    "GET /api/v1/ratings/rectifications/{rectification_id}": Rule(USERS, absent_ok=True),
    "POST /api/v1/ratings/rectifications/{rectification_id}/callback": Rule(
        USERS, absent_ok=True, body={"genuine": True, "note": "x"}
    ),
    "POST /api/v1/ratings/rectifications/{rectification_id}/rectify": Rule(
        USERS, absent_ok=True, body={"text": "x"}
    ),
    "POST /api/v1/ratings/rectifications/{rectification_id}/reply": Rule(
        USERS, absent_ok=True, body={"text": "x"}
    ),
    "POST /api/v1/ratings/rectifications/{rectification_id}/revisit": Rule(
        USERS, absent_ok=True, body={"satisfied": True}
    ),
    "POST /api/v1/ratings/rectifications/{rectification_id}/close": Rule(
        USERS, absent_ok=True, body={"comment": "x"}
    ),
    "POST /api/v1/ratings/rectifications/{rectification_id}/escalate": Rule(USERS, absent_ok=True, body={}),
    "GET /api/v1/ratings/indicators": Rule(INDICATOR_READERS),
    "GET /api/v1/ratings/export": Rule(of("supervisor", "admin")),
}

assert not (INDICATOR_READERS & APPLICANTS)
