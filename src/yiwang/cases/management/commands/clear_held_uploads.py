"""clear_held_uploads: remove files held for refused application forms (暂存材料) past their time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.cases import held


class Command(BaseCommand):
    help = "清除过期的暂存材料（申请表未提交成功时暂存的上传文件；可重复执行，适合每小时定时运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        cleared = held.clear_expired()
        self.stdout.write(f"已清除过期的暂存材料 {cleared} 份")
