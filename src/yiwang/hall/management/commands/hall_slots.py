"""``yiwang hall_slots``: materialise the appointment slots of the next days (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.hall.models import Hall
from yiwang.hall.services.slots import MAX_DAYS, materialise_slots


class Command(BaseCommand):
    help = "按预约时段规则生成各大厅未来 N 天的预约时段（仅工作日，可重复执行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30, help=f"天数（1–{MAX_DAYS}）")

    def handle(self, *args: Any, **options: Any) -> None:
        days = max(1, min(int(options["days"]), MAX_DAYS))
        total = 0
        for hall in Hall.objects.filter(is_active=True).order_by("pk"):
            total += materialise_slots(hall, days=days)
        self.stdout.write(f"hall slots: {total} created")
