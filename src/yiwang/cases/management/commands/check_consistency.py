"""check_consistency: count cases whose events, process, queue counters or detail snapshot disagree."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.cases import consistency


class Command(BaseCommand):
    help = "核对每件办件的过程记录、流程状态、待办计数与详情快照是否一致，并统计重复通知与证照；不一致时退出码为 1"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="每批读取的办件数")

    def handle(self, *args: Any, **options: Any) -> None:
        report = consistency.check(batch=options["batch"])
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            sys.exit(1)
