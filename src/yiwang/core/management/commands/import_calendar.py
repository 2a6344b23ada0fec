"""``import_calendar``: import a year's official holiday schedule from a CSV or JSON file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.calendar_import import import_schedule, parse_schedule
from yiwang.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "导入国务院公布的节假日安排（CSV 或 JSON，格式见 docs/operations.md）；导入后按预计日历计算的"
        "办理时限自动重算。Import an official holiday schedule; provisional deadlines are recomputed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="CSV (date,kind,name) or JSON file")
        parser.add_argument("--year", type=int, help="expected year (refused if the file's dates differ)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {path}：{exc.strerror}") from exc
        try:
            schedule = parse_schedule(content, year=options["year"])
            calendar_year = import_schedule(schedule)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        holidays = sum(1 for kind, _ in schedule.days.values() if kind == "holiday")
        self.stdout.write(
            f"{calendar_year.year} 年：法定节假日 {holidays} 天，调休上班 {len(schedule.days) - holidays} 天"
            f"（来源：{calendar_year.source}）；按预计日历计算的办理时限将自动重算。"
        )
