"""``poll_courier_tracking``: ask the carrier about orders without an event for N hours
(``LOGISTICS_POLL_AFTER_HOURS``, default 6) and re-send orders the carrier did not answer.
Scheduled every 15 minutes (core/scheduler.py); safe to run at any time (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.logistics import services


class Command(BaseCommand):
    help = "Poll the carrier for quiet courier orders; resubmit orders the carrier did not answer."

    def handle(self, *args: Any, **options: Any) -> None:
        resubmitted = services.retry_unsubmitted()
        counts = services.poll_tracking()
        self.stdout.write(
            f"polled {counts['polled']}, new events {counts['new_events']}, failures {counts['failures']}, "
            f"resubmitted {resubmitted}"
        )
