"""Who may call each page and API operation of `payments` (and the postage pages of `logistics`).

Lists answer every logged-in user with what he may see (an applicant the orders of his cases, finance
officers and window clerks those of their departments, other staff none); an order is seen by its
applicant and the finance officers and clerks of its department (others 404). The probed ids do not
exist (no demo orders), so allowed identities get 404 too. The gateway's notification answers only
signed requests (401 for every user). Reconciliation (对账) is for finance officers only, and no probed
identity is one: everyone is refused (403; anonymous users 401 or the log-in page). The pay pages are the applicant's: staff are sent to log in as
one, applicants get 404 for a case or courier order that is not theirs.
"""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, NOBODY, STAFF, USERS, Rule

RULES: dict[str, Rule] = {
    "GET /api/v1/payments/orders": Rule(USERS),
    "GET /api/v1/payments/orders/{order_id}": Rule(USERS, absent_ok=True),
    "GET /api/v1/payments/orders/{order_id}/events": Rule(USERS, absent_ok=True),
    "POST /api/v1/payments/orders/{order_id}/pay": Rule(USERS, absent_ok=True),
    "POST /api/v1/payments/orders/{order_id}/offline": Rule(USERS, absent_ok=True),
    "POST /api/v1/payments/orders/{order_id}/refunds": Rule(USERS, absent_ok=True),
    "POST /api/v1/payments/notify/fiscal": Rule(NOBODY),
    "PAGE /cases/<uuid:case_id>/pay/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /cases/<uuid:case_id>/pay/start/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /cases/<uuid:case_id>/pay/status/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /cases/<uuid:case_id>/pay/renew/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /logistics/postage/<uuid:order_id>/pay/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /logistics/postage/<uuid:order_id>/pay/start/": Rule(APPLICANTS, absent_ok=True),
    "PAGE /workbench/finance/": Rule(STAFF),
    "PAGE /workbench/finance/orders/<uuid:order_id>/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/finance/orders/<uuid:order_id>/refund/": Rule(STAFF, absent_ok=True),
    "PAGE /workbench/finance/orders/<uuid:order_id>/offline/": Rule(STAFF, absent_ok=True),
    "GET /api/v1/payments/reconciliation/runs": Rule(NOBODY),
    "POST /api/v1/payments/reconciliation/runs": Rule(NOBODY, body={"day": "2026-09-20"}),
    "GET /api/v1/payments/reconciliation/runs/{run_id}": Rule(NOBODY),
    "GET /api/v1/payments/reconciliation/runs/{run_id}/items": Rule(NOBODY),
    "GET /api/v1/payments/reconciliation/items/{item_id}": Rule(NOBODY),
    "POST /api/v1/payments/reconciliation/items/{item_id}/corrections": Rule(
        NOBODY, body={"action": "write_off", "reason": "x"}
    ),
    "POST /api/v1/payments/reconciliation/corrections/{correction_id}/approve": Rule(NOBODY, body={}),
    "POST /api/v1/payments/reconciliation/corrections/{correction_id}/reject": Rule(NOBODY, body={}),
    "PAGE /workbench/finance/reconciliation/": Rule(NOBODY),
    "PAGE /workbench/finance/reconciliation/run/": Rule(NOBODY),
    "PAGE /workbench/finance/reconciliation/<uuid:run_id>/": Rule(NOBODY),
    "PAGE /workbench/finance/reconciliation/<uuid:run_id>/export.<str:fmt>": Rule(NOBODY),
    "PAGE /workbench/finance/reconciliation/items/<uuid:item_id>/propose/": Rule(NOBODY),
    "PAGE /workbench/finance/reconciliation/corrections/<uuid:correction_id>/decide/": Rule(NOBODY),
}
