"""clear_detail_snapshots: drop stored case details (办件详情快照) that can no longer be served."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.cases import detail_cache


class Command(BaseCommand):
    help = "清除前几日生成的办件详情快照（可重复执行，适合每日定时运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reinstall",
            action="store_true",
            help="重新安装维护快照版本的数据库触发器（migrate 后会自动安装）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reinstall"]:
            detail_cache.install_triggers()
            self.stdout.write("已重新安装办件详情快照触发器")
        cleared = detail_cache.clear_old_bodies()
        self.stdout.write(f"已清除过期的办件详情快照 {cleared} 份")
