"""Who may call each page and API operation of `payments` (and the postage pages of `logistics`).

Lists answer every logged-in user with what he may see (an applicant the orders of his cases, finance
officers and window clerks those of their departments, other staff none); an order is seen by its
applicant and the finance officers and clerks of its department (others 404). The probed ids do not
exist (no demo orders), so allowed identities get 404 too. The gateway's notification answers only
signed requests (401 for every user). The pay pages are the applicant's: staff are sent to log in as
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
}
