"""``backup DIR``: a consistent backup of the database and the files, with a signed manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "备份数据库与文件（材料、文书、证照）到目录，附计数与 SM3 清单。Back up the database and MEDIA_ROOT."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", type=Path, help="a new or empty directory")
        parser.add_argument("--database", default="default")
        parser.add_argument("--media-root", type=Path, default=None, help="default: MEDIA_ROOT")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(
                options["destination"], using=options["database"], media_root=options["media_root"]
            )
        except BackupError as exc:
            raise CommandError(f"备份失败：{exc}", returncode=1) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{options['destination']}（{len(manifest['tables'])} 张表 {rows} 行，"
                f"{len(manifest['files'])} 个文件，审计链尾 #{manifest['audit']['sequence']}）"
            )
        )
