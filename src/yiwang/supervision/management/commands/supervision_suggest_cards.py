"""``yiwang supervision_suggest_cards``: suggest red and yellow cards for the last whole month (scheduled
daily; idempotent: one suggestion per department and period)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yiwang.supervision.services import suggest_cards


def last_whole_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


class Command(BaseCommand):
    help = "Suggest cards (建议亮牌) from the red warnings of the last whole month, or of --month YYYY-MM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM (default: the last whole month)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("month"):
            try:
                first = date.fromisoformat(options["month"] + "-01")
            except ValueError as exc:
                raise CommandError("--month: YYYY-MM") from exc
            start, end = first, last_whole_month(first + timedelta(days=31))[1]
        else:
            start, end = last_whole_month(timezone.localdate())
        made = suggest_cards(start, end)
        self.stdout.write(f"supervision_suggest_cards: {made} suggested for {start}–{end}")
