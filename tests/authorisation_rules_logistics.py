"""Who may call each page and API operation of `logistics` (merge into ``authorisation_rules.RULES``).

Lists answer every logged-in user with what he may see (an applicant his own orders, staff the
orders of their departments: none for roles outside window clerk/handler/approver). An order is
seen by its applicant and the staff of its department (others 404); acting on it (create, submit,
cancel, print) is for window clerks of the department. The carrier's callback answers only signed
requests: every user is refused (401). The probed ids do not exist (no demo orders): allowed
identities get 404 too.
"""

from __future__ import annotations

from authorisation_rules_base import NOBODY, STAFF, USERS, Rule, of

_PARTY = {
    "name": "张伟",
    "phone": "13912345678",
    "region_code": "999999",
    "address": "合肥市蜀山区长江西路 1 号",
}

RULES: dict[str, Rule] = {
    "GET /api/v1/logistics/orders": Rule(USERS),
    # a clerk reaches the address check (400: unknown region code); everyone else is refused first
    "POST /api/v1/logistics/orders": Rule(
        of("clerk", "clerk_ps"), body={"kind": "delivery", "sender": _PARTY, "recipient": _PARTY}
    ),
    "GET /api/v1/logistics/orders/{order_id}": Rule(USERS, absent_ok=True),
    "GET /api/v1/logistics/orders/{order_id}/events": Rule(USERS, absent_ok=True),
    "POST /api/v1/logistics/orders/{order_id}/submit": Rule(USERS, absent_ok=True),
    "POST /api/v1/logistics/orders/{order_id}/cancel": Rule(USERS, absent_ok=True, body={"reason": ""}),
    "POST /api/v1/logistics/callbacks/sim": Rule(NOBODY),
    "PAGE /workbench/logistics/": Rule(STAFF),
    "PAGE /workbench/logistics/orders/<uuid:public_id>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/logistics/orders/<uuid:public_id>/waybill.pdf": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/logistics/orders/<uuid:public_id>/submit/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/logistics/orders/<uuid:public_id>/cancel/": Rule(STAFF, absent_ok=True),
}
