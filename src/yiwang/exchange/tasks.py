"""Background work of exchange, run by the django-tasks worker (inline in tests)."""

from __future__ import annotations

from yiwang.exchange.services.outgoing import push_package_task
from yiwang.exchange.services.webhooks import deliver_webhooks_task

__all__ = ["deliver_webhooks_task", "push_package_task"]
