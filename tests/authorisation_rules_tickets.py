"""Who may call each page and API operation of `tickets` (merged into ``authorisation_rules.RULES``).

Applicants file and follow their own tickets (/my/tickets/, ``POST /api/v1/tickets``); staff see the
tickets of their department (hotline agents: those in their scope and the undispatched ones;
supervisors: their scope), so the staff lists answer every staff member.  The hotline console and
the caller history are for hotline agents and supervisors; recording a call for agents only.  The
probed ticket ids do not exist, so allowed identities get 404 too; a ticket that is not the caller's
is a 404 (no existence leak).
"""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, STAFF, USERS, Rule, of

CONSOLE = of("agent", "supervisor")
AGENT = of("agent")
TICKET = "/api/v1/tickets/{ticket_id}"
PROBE = "00000000-0000-4000-8000-000000000000"

RULES: dict[str, Rule] = {
    "PAGE /my/tickets/": Rule(APPLICANTS),
    "PAGE /my/tickets/<uuid:ticket_id>/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /my/tickets/<uuid:ticket_id>/rate/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /workbench/tickets/": Rule(STAFF),
    "PAGE /workbench/tickets/<uuid:ticket_id>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/tickets/<uuid:ticket_id>/<str:action>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/hotline/": Rule(CONSOLE),
    "PAGE /workbench/hotline/calls/": Rule(AGENT),
    "PAGE /workbench/hotline/suggest/": Rule(CONSOLE),
    "PAGE /workbench/hotline/callers/": Rule(CONSOLE),
    "POST /api/v1/tickets": Rule(
        APPLICANTS, body={"category": "help", "title": "探针", "content": "探针工单"}
    ),
    "GET /api/v1/tickets": Rule(STAFF),
    "GET /api/v1/tickets/mine": Rule(USERS),
    "POST /api/v1/tickets/suggestions": Rule(STAFF, body={"text": "请问营业执照怎么办理"}),
    "POST /api/v1/tickets/hotline/calls": Rule(
        AGENT, body={"category": "consultation", "title": "探针", "content": "探针来电"}
    ),
    "GET /api/v1/tickets/hotline/callers": Rule(CONSOLE),
    f"GET {TICKET}": Rule(USERS, absent_ok=True),
    f"POST {TICKET}/dispatch": Rule(USERS, absent_ok=True, body={}),
    f"POST {TICKET}/accept": Rule(USERS, absent_ok=True, body={}),
    f"POST {TICKET}/transfer": Rule(USERS, absent_ok=True, body={"department": PROBE, "reason": "x"}),
    f"POST {TICKET}/return": Rule(USERS, absent_ok=True, body={"reason": "x"}),
    f"POST {TICKET}/extend": Rule(USERS, absent_ok=True, body={"days": 1, "reason": "x"}),
    f"POST {TICKET}/decide-extension": Rule(USERS, absent_ok=True, body={"approve": True}),
    f"POST {TICKET}/reply": Rule(USERS, absent_ok=True, body={"text": "x"}),
    f"POST {TICKET}/answer": Rule(USERS, absent_ok=True, body={"text": "x"}),
    f"POST {TICKET}/revisit": Rule(USERS, absent_ok=True, body={"result": "satisfied"}),
    f"POST {TICKET}/merge": Rule(USERS, absent_ok=True, body={"into": PROBE}),
    f"POST {TICKET}/close": Rule(USERS, absent_ok=True, body={}),
}
