"""expire_corrections: close cases whose correction deadline (补正期限) passed without supply."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.cases.tasks import expire_corrections_task
from yiwang.cases.variants import expire_corrections
from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context


class Command(BaseCommand):
    help = "逾期未补正的办件按不予受理办结（可重复执行，适合每日定时运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="交给任务队列执行，而不是在本进程执行")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = expire_corrections_task.enqueue()
            self.stdout.write(f"已加入任务队列：{result.id}")
            return
        with use_context(RequestContext(channel=Channel.CONSOLE)):
            closed = expire_corrections()
        self.stdout.write(f"逾期未补正办结 {len(closed)} 件")
        for number in closed:
            self.stdout.write(number)
