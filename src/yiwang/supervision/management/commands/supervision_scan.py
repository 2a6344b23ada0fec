"""``yiwang supervision_scan``: the periodic supervision scan (scheduled; idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from yiwang.supervision.scan import run_scan


class Command(BaseCommand):
    help = "Raise and close supervision warnings over the open cases (set-based; idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = run_scan()
        self.stdout.write(
            f"supervision_scan: {result.total_raised} raised, {result.total_closed} closed "
            f"in {time.perf_counter() - started:.2f} s"
        )
