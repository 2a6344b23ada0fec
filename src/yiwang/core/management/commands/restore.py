"""``restore DIR``: load a backup into an empty database, then verify counts, hashes and the audit chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "将备份恢复到空数据库，并校验行数、文件 SM3 与审计链（不一致时以退出码 1 结束）。"
        "Restore a backup into an EMPTY database and verify it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="a directory written by `yiwang backup`")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--media-root", type=Path, default=None, help="default: MEDIA_ROOT (must be empty)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore(options["source"], using=options["database"], media_root=options["media_root"])
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}", returncode=1) from exc
        for line in report.lines:
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("恢复后校验未通过（见上）", returncode=1)
        self.stdout.write(self.style.SUCCESS("恢复完成，校验通过"))
