"""``yiwang tickets_defaults``: the keyword table, deadlines and routing rules (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.tickets.services.defaults import install_defaults


class Command(BaseCommand):
    help = "安装 12345 工单的关键词表、办理时限与派单规则（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        made = install_defaults()
        self.stdout.write(
            f"tickets defaults: {made['keywords']} keywords, {made['deadlines']} deadlines, "
            f"{made['routing']} routing rules created"
        )
