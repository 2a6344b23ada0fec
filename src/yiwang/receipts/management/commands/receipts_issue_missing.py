"""补开票据: issue the receipts missing for paid orders and finished refunds (e.g. issued while the
department had no seal).  Run from cron; ``--enqueue`` hands it to the task queue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.receipts import services
from yiwang.receipts.tasks import issue_missing_receipts


class Command(BaseCommand):
    help = "补开缺失的财政电子票据（已缴费的缴款单、已完成的退款）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--enqueue", action="store_true", help="交给任务队列执行，而不是在本进程执行")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = issue_missing_receipts.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        counts = services.issue_missing()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
