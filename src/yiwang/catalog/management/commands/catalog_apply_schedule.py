"""catalog_apply_schedule: apply due scheduled publications and withdrawals (idempotent; run from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.catalog.services import apply_schedule
from yiwang.catalog.tasks import apply_catalog_schedule
from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context


class Command(BaseCommand):
    help = "执行事项的定时发布和定时撤销（可重复执行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="交给任务队列执行，而不是在本进程执行")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = apply_catalog_schedule.enqueue()
            self.stdout.write(f"已加入任务队列：{result.id}")
            return
        with use_context(RequestContext(channel=Channel.CONSOLE)):
            outcome = apply_schedule()
        self.stdout.write(f"定时发布 {outcome['published']} 个，定时撤销 {outcome['withdrawn']} 个")
        for failure in outcome["failed"]:
            self.stderr.write(f"未能处理：{failure['name']}（{failure['code']}）{failure['message']}")
