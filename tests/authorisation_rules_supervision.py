"""Who may call each page and API operation of `supervision` (merged into ``authorisation_rules.RULES``).

Staff see the warnings and cards of their own department and supervisors those of the departments in
their data scope, so the lists answer every staff member (applicants: an empty list from the API, a
403 page in the workbench).  The probed ids do not exist, so allowed identities get 404 too.  Rules are
read by staff and changed by supervisors only; a card is issued by a supervisor (the probed department
does not exist: 404 for everyone).
"""

from __future__ import annotations

from authorisation_rules_base import STAFF, USERS, Rule, of

SUPERVISOR = of("supervisor")

RULES: dict[str, Rule] = {
    "PAGE /workbench/supervision/": Rule(STAFF),
    "PAGE /workbench/supervision/warnings/<uuid:warning_id>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/supervision/warnings/<uuid:warning_id>/<str:action>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/supervision/rules/": Rule(STAFF),
    "PAGE /workbench/supervision/rules/<uuid:rule_id>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/supervision/cards/": Rule(STAFF),
    "PAGE /workbench/supervision/cards/<uuid:card_id>/<str:action>/": Rule(STAFF, absent_ok=True),
    "GET /api/v1/supervision/warnings": Rule(USERS),
    "GET /api/v1/supervision/warnings/{warning_id}": Rule(USERS, absent_ok=True),
    "POST /api/v1/supervision/warnings/{warning_id}/acknowledge": Rule(USERS, absent_ok=True, body={}),
    "POST /api/v1/supervision/warnings/{warning_id}/explain": Rule(USERS, absent_ok=True, body={"text": "x"}),
    "POST /api/v1/supervision/warnings/{warning_id}/correct": Rule(USERS, absent_ok=True, body={"text": "x"}),
    "POST /api/v1/supervision/warnings/{warning_id}/review": Rule(
        USERS, absent_ok=True, body={"accept": True}
    ),
    "POST /api/v1/supervision/warnings/{warning_id}/close": Rule(USERS, absent_ok=True, body={"text": ""}),
    "GET /api/v1/supervision/rules": Rule(USERS),
    "GET /api/v1/supervision/rules/{rule_id}": Rule(USERS, absent_ok=True),
    "POST /api/v1/supervision/rules": Rule(SUPERVISOR, body={"code": "probe-rule", "kind": "time_red"}),
    "PATCH /api/v1/supervision/rules/{rule_id}": Rule(USERS, absent_ok=True, body={"active": False}),
    "GET /api/v1/supervision/cards": Rule(USERS),
    "GET /api/v1/supervision/cards/{card_id}": Rule(USERS, absent_ok=True),
    "POST /api/v1/supervision/cards": Rule(
        USERS,
        absent_ok=True,
        body={
            "department": "00000000-0000-4000-8000-000000000000",
            "colour": "red",
            "period_start": "2026-09-01",
            "period_end": "2026-09-30",
            "reason": "x",
        },
    ),
    "POST /api/v1/supervision/cards/{card_id}/appeal": Rule(USERS, absent_ok=True, body={"reasons": "x"}),
    "POST /api/v1/supervision/cards/{card_id}/decision": Rule(
        USERS, absent_ok=True, body={"revoke": False, "comment": "x"}
    ),
    "POST /api/v1/supervision/cards/{card_id}/confirm": Rule(USERS, absent_ok=True, body={"accept": True}),
}
