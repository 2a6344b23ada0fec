"""``verify_audit``: walk the audit trail's hash chain and report the first broken record."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链是否完整（被篡改或删除时以退出码 1 结束）。Verify the audit trail's hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(batch_size=options["batch_size"])
        if not report.ok:
            raise CommandError(
                f"审计链断裂：{report.reason}。首个异常记录 #{report.first_bad_sequence}，"
                f"此前 {report.checked} 条记录校验通过。",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完整：{report.checked} 条记录"))
