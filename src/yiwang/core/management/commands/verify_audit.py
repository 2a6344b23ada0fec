"""``verify_audit``: walk the audit trail's keyed chain, check it against the signed checkpoints
kept outside the database, and report the first broken record."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.audit_checkpoints import CheckpointError, checkpoint_path, verify_with_checkpoints


class Command(BaseCommand):
    help = (
        "校验审计日志哈希链是否完整，并与库外签名检查点比对（被篡改、截断或删除时以退出码 1 结束）。"
        "Verify the audit trail's keyed chain against the signed checkpoints."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report, checkpoints = verify_with_checkpoints(batch_size=options["batch_size"])
        except CheckpointError as exc:
            raise CommandError(f"审计检查点无效：{exc}", returncode=1) from exc
        if not report.ok:
            raise CommandError(
                f"审计链断裂：{report.reason}。首个异常记录 #{report.first_bad_sequence}，"
                f"此前 {report.checked} 条记录校验通过。",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(f"审计链完整：{report.checked} 条记录"))
        if report.legacy:
            self.stdout.write(f"其中 {report.legacy} 条为启用密钥前的旧记录（SHA-256，无密钥）")
        if checkpoints:
            last = checkpoints[-1]
            self.stdout.write(f"与 {len(checkpoints)} 个签名检查点一致，最近：#{last.sequence}（{last.at}）")
        else:
            self.stdout.write(
                self.style.WARNING(f"无签名检查点可比对（{checkpoint_path() or '未配置检查点文件'}）")
            )
