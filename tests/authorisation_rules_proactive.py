"""Who may call each page and API operation of the proactive app (merged into ``authorisation_rules.RULES``).

Rules, their reach and the objections are for managers (事项管理员 of the rule's department within
their data scope, 系统管理员): other staff get 403, applicants 403.  The recipient's pages and
``/mine`` are for applicants (staff have no subject: an empty list); a push or rule that is not the
caller's is a 404.  The probed ids do not exist, so allowed identities get 404 too.
"""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, USERS, Rule, of

MANAGERS = of("manager", "admin")
RULE = "/api/v1/proactive/rules/{rule_id}"
RULE_BODY = {"name": "探针规则", "event": "birth", "title": "探针"}

RULES: dict[str, Rule] = {
    "PAGE /workbench/proactive/": Rule(MANAGERS),
    "PAGE /workbench/proactive/new/": Rule(MANAGERS),
    "PAGE /workbench/proactive/preview/": Rule(MANAGERS),
    "PAGE /workbench/proactive/objections/": Rule(MANAGERS),
    "PAGE /workbench/proactive/objections/<uuid:objection_id>/decide/": Rule(MANAGERS, absent_ok=True),
    "PAGE /workbench/proactive/<uuid:rule_id>/": Rule(MANAGERS, absent_ok=True),
    "PAGE /workbench/proactive/<uuid:rule_id>/edit/": Rule(MANAGERS, absent_ok=True),
    "PAGE /workbench/proactive/<uuid:rule_id>/<str:action>/": Rule(MANAGERS, absent_ok=True),
    "PAGE /my/proactive/": Rule(APPLICANTS),
    "PAGE /my/proactive/settings/": Rule(APPLICANTS),
    "PAGE /my/proactive/<uuid:push_id>/": Rule(APPLICANTS, absent_ok=True),
    "GET /api/v1/proactive/rules": Rule(MANAGERS),
    "POST /api/v1/proactive/rules": Rule(MANAGERS, body=RULE_BODY),
    f"GET {RULE}": Rule(MANAGERS, absent_ok=True),
    f"PUT {RULE}": Rule(MANAGERS, absent_ok=True, body=RULE_BODY),
    f"POST {RULE}/activate": Rule(MANAGERS, absent_ok=True, body={}),
    f"POST {RULE}/retire": Rule(MANAGERS, absent_ok=True, body={}),
    f"GET {RULE}/reach": Rule(MANAGERS, absent_ok=True),
    "GET /api/v1/proactive/objections": Rule(MANAGERS),
    "POST /api/v1/proactive/objections/{objection_id}/decision": Rule(
        MANAGERS, absent_ok=True, body={"outcome": "rejected", "note": "探针"}
    ),
    "GET /api/v1/proactive/mine": Rule(USERS),
    "GET /api/v1/proactive/mine/{push_id}": Rule(USERS, absent_ok=True),
    "POST /api/v1/proactive/mine/{push_id}/objections": Rule(
        USERS, absent_ok=True, body={"reason": "探针异议"}
    ),
    "GET /api/v1/proactive/preferences": Rule(USERS),
    "POST /api/v1/proactive/preferences": Rule(APPLICANTS, body={"enabled": False}),
}
