"""reconcile_payments: 对账 the fiscal gateway's statement of a day (yesterday by default)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from yiwang.core.errors import DomainError
from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context
from yiwang.payments.services import reconcile


class Command(BaseCommand):
    help = "与支付平台对账单逐笔核对（默认昨天；可重复执行，保留已处理的差错）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="YYYY-MM-DD (default: yesterday, Asia/Shanghai)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["day"]) if options.get("day") else None
        except ValueError as exc:
            raise CommandError("--day must be YYYY-MM-DD") from exc
        day = day or timezone.localdate() - timedelta(days=1)
        with use_context(RequestContext(channel=Channel.CONSOLE)):
            try:
                run = reconcile(day)
            except DomainError as exc:
                raise CommandError(f"{day}: {exc.code} {exc}") from exc
        counts = " ".join(f"{k}={v}" for k, v in run.counts().items())
        self.stdout.write(
            f"对账 {day} {run.gateway}: {run.statement_lines} 行 {counts} ({run.duration_ms} ms)"
        )
