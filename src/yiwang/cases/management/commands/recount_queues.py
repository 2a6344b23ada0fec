"""recount_queues: check the to-do queue counters against the cases, or rebuild them."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.cases import queues


class Command(BaseCommand):
    help = "核对待办计数与办件表是否一致（--check，不一致时退出码为 1），或按办件表重建计数"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="只核对，不重建")

    def handle(self, *args: Any, **options: Any) -> None:
        differences = queues.drift()
        for d in differences:
            self.stdout.write(f"{d.organisation_id}\t{d.status}\t计数 {d.counted}\t实际 {d.actual}")
        if options["check"]:
            self.stdout.write(f"待办计数{'一致' if not differences else f'有 {len(differences)} 处不一致'}。")
            if differences:
                sys.exit(1)
            return
        counted = queues.rebuild()
        self.stdout.write(f"已重建待办计数：{counted} 件在办办件。")
