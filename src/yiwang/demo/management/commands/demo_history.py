"""``yiwang demo_history``: the demo's case history for dashboards, big screen and supervision (idempotent;
run by ``yiwang demo`` after ``loaddemo``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.demo.history import load_history


class Command(BaseCommand):
    help = "演示办件历史：为运行分析、大屏与电子监察载入约 240 件近 90 天的办件（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        made = load_history()
        self.stdout.write(f"demo_history: {made} cases" if made else "demo_history: already loaded")
