"""The exchange handlers of federation, connected in ``FederationConfig.ready``: the four up-push kinds
(applied at a province) and the back-flow kind (applied at a city)."""

from __future__ import annotations

from yiwang.exchange import handlers
from yiwang.federation.services.backflow import KIND as BACKFLOW_KIND
from yiwang.federation.services.backflow import apply_backflow
from yiwang.federation.services.receive import KIND_HANDLERS


def register_handlers() -> None:
    for kind, handler in KIND_HANDLERS.items():
        handlers.register(kind, handler)
    handlers.register(BACKFLOW_KIND, apply_backflow)
