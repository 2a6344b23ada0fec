"""``yiwang ratings_scan``: flag overdue rectifications and tell the supervisors (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.ratings.services import run_scan


class Command(BaseCommand):
    help = "Flag rectifications past their call-back or rectification deadline and tell the supervisors."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"ratings: {run_scan()} rectifications escalated")
