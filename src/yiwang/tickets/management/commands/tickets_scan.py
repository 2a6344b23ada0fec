"""``yiwang tickets_scan``: flag overdue tickets and tell the departments and supervisors (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.tickets.services.overdue import scan_overdue


class Command(BaseCommand):
    help = "扫描超期工单并督办（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"tickets scan: {scan_overdue()} overdue tickets flagged")
