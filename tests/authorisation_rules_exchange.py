"""Who may call each page and API operation of `exchange` (merged into ``authorisation_rules.RULES``).

The console (lists, dead-letter replay, pages) is for the system administrator and the data
officials (``exchange.actions.EXCHANGE_ROLES``; no probe identity is a data official). The package
endpoints answer only requests signed by a registered exchange node: every user is refused (401).
"""

from __future__ import annotations

from authorisation_rules_base import NOBODY, Rule, of

RULES: dict[str, Rule] = {
    # peer nodes (signed requests): no user gets through
    "POST /api/v1/exchange/packages": Rule(NOBODY),
    "GET /api/v1/exchange/packages/{package_id}": Rule(NOBODY),
    "PUT /api/v1/exchange/packages/{package_id}/chunks": Rule(NOBODY),
    "GET /api/v1/exchange/packages/{package_id}/receipt": Rule(NOBODY),
    "GET /api/v1/exchange/outbox": Rule(NOBODY),
    "GET /api/v1/exchange/outbox/{package_id}/archive": Rule(NOBODY),
    "POST /api/v1/exchange/outbox/{package_id}/ack": Rule(NOBODY),
    # the console: admin (and data officials)
    "GET /api/v1/exchange/nodes": Rule(of("admin")),
    "GET /api/v1/exchange/outgoing": Rule(of("admin")),
    "GET /api/v1/exchange/incoming": Rule(of("admin")),
    "GET /api/v1/exchange/deliveries": Rule(of("admin")),
    "GET /api/v1/exchange/dead-letters": Rule(of("admin")),
    "POST /api/v1/exchange/deliveries/{delivery_id}/replay": Rule(of("admin"), absent_ok=True),
    "POST /api/v1/exchange/outgoing/{package_id}/retry": Rule(of("admin"), absent_ok=True),
    "POST /api/v1/exchange/dead-letters/replay": Rule(of("admin"), body={"ids": []}),
    "PAGE /workbench/exchange/": Rule(of("admin")),
    "PAGE /workbench/exchange/outgoing/<uuid:public_id>/retry/": Rule(of("admin"), absent_ok=True),
    "PAGE /workbench/exchange/deliveries/": Rule(of("admin")),
    "PAGE /workbench/exchange/deliveries/replay/": Rule(of("admin")),
    "PAGE /workbench/exchange/deliveries/<uuid:public_id>/replay/": Rule(of("admin"), absent_ok=True),
}
