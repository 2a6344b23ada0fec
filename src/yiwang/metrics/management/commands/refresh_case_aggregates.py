"""Recompute the aggregates of the cases marked dirty (scheduled every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.metrics import aggregates


class Command(BaseCommand):
    help = "Recompute the case aggregates of the cases changed since the last run."

    def handle(self, *args: Any, **options: Any) -> None:
        done = aggregates.refresh()
        self.stdout.write(f"refreshed {done} case(s)")
