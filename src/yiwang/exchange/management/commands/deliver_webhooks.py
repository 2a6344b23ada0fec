"""Deliver the webhook deliveries that are due (the scheduler's job; the task does the same on commit)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.exchange.services import deliver_all_due


class Command(BaseCommand):
    help = "Deliver due webhook deliveries (retries included) until none is due now."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=8)

    def handle(self, *args: Any, workers: int, **options: Any) -> None:
        report = deliver_all_due(workers=max(1, min(workers, 64)))
        self.stdout.write(
            f"webhooks: claimed {report.claimed}, delivered {report.delivered}, retried {report.retried}, dead {report.dead}"
        )
