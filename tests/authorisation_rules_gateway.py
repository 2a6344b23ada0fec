"""Who may call the sharing gateway's operations (merged into ``authorisation_rules.RULES``).

Data officials are not among the probe identities, so their operations allow nobody of them
(``NOBODY``): the table proves everyone probed is refused; ``test_gateway*.py`` test the officials."""

from __future__ import annotations

from authorisation_rules_base import APPLICANTS, EVERYONE, NOBODY, USERS, Rule

RULES: dict[str, Rule] = {
    "POST /api/v1/sharing/gateway/{resource_code}/query": Rule(
        EVERYONE,
        skip="own credentials (client-credentials token or signature): sharing/tests/test_gateway.py",
    ),
    "GET /api/v1/sharing/gateway/calls": Rule(NOBODY),
    "GET /api/v1/sharing/gateway/statistics": Rule(NOBODY),
    "GET /api/v1/sharing/gateway/consumers": Rule(NOBODY),
    "GET /api/v1/sharing/gateway/subscriptions": Rule(NOBODY),
    "POST /api/v1/sharing/gateway/consumers": Rule(NOBODY, absent_ok=True),
    "POST /api/v1/sharing/gateway/subscriptions": Rule(NOBODY, absent_ok=True),
    "POST /api/v1/sharing/gateway/subscriptions/{subscription_id}/cancel": Rule(NOBODY, absent_ok=True),
    "GET /api/v1/sharing/gateway/subscriptions/{subscription_id}/deliveries": Rule(NOBODY, absent_ok=True),
    "GET /api/v1/sharing/me/calls": Rule(USERS),
    # --- pages (sharing/gateway_views.py; data officials only) and 我的数据被谁使用 ---
    "PAGE /workbench/sharing/gateway/calls/": Rule(NOBODY),
    "PAGE /workbench/sharing/gateway/statistics/": Rule(NOBODY),
    "PAGE /workbench/sharing/gateway/statistics/data/": Rule(NOBODY),
    "PAGE /workbench/sharing/gateway/consumers/": Rule(NOBODY),
    "PAGE /workbench/sharing/gateway/consumers/<uuid:consumer_id>/<slug:action>/": Rule(
        NOBODY, absent_ok=True
    ),
    "PAGE /workbench/sharing/gateway/subscriptions/": Rule(NOBODY),
    "PAGE /workbench/sharing/gateway/subscriptions/<uuid:subscription_id>/": Rule(NOBODY, absent_ok=True),
    "PAGE /workbench/sharing/gateway/subscriptions/<uuid:subscription_id>/cancel/": Rule(
        NOBODY, absent_ok=True
    ),
    "PAGE /my/shared-data/": Rule(APPLICANTS),
}
