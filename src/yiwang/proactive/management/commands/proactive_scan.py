"""``yiwang proactive_scan``: evaluate the active proactive-service rules for today (idempotent)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.proactive.services import run_scan


class Command(BaseCommand):
    help = "主动服务：按启用的规则评估当天事件（出生、企业开办、证照到期、退休、政策匹配），推送或免申即享"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", type=date.fromisoformat, default=None, help="evaluate as of this day")

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_scan(options["day"])
        self.stdout.write(
            f"proactive_scan: days {report.days[0]}..{report.days[-1]}, changes {report.from_sequence}->"
            f"{report.to_sequence}, new {report.total}, skipped {report.skipped}, sent {report.sent}, "
            f"no account {report.no_account}"
        )
