"""The exchange job: push due packages (retries, receipts), pull from pull-mode nodes, apply what waits."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand

from yiwang.core.errors import DomainError
from yiwang.exchange.identity import configured_identity
from yiwang.exchange.models import ExchangeNode, IncomingPackage, IncomingState
from yiwang.exchange.services import apply_stream, pull_from, push_due

logger = logging.getLogger("yiwang.exchange")


class Command(BaseCommand):
    help = "Push due exchange packages, pull from nodes marked for pulling and apply waiting packages."

    def handle(self, *args: Any, **options: Any) -> None:
        if configured_identity() is None:
            self.stdout.write("exchange: no node identity configured, nothing to do")
            return
        pushed = push_due()
        pulled = 0
        for node in ExchangeNode.objects.filter(active=True, pull_from=True):
            try:
                pulled += len(pull_from(node))
            except (OSError, DomainError) as exc:
                logger.warning("exchange pull from %s failed: %s", node.node_id, exc)
        applied = 0
        waiting = (
            IncomingPackage.objects.filter(state=IncomingState.WAITING)
            .values_list("sender_id", "kind")
            .distinct()
        )
        for sender_id, kind in list(waiting):
            applied += apply_stream(ExchangeNode.objects.get(pk=sender_id), kind)
        self.stdout.write(f"exchange: pushed {pushed}, pulled {pulled}, applied {applied}")
