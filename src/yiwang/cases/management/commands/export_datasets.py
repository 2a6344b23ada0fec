"""export_datasets: write the GB/T 39046 datasets changed since the target's last export to a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.cases.datasets import DEFAULT_LIMIT, export_datasets
from yiwang.core.errors import DomainError


class Command(BaseCommand):
    help = "增量导出 GB/T 39046 数据集（申请、受理、办理过程、特别程序、办结）供上级平台使用"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--target", default="province", help="上报目标平台标识，每个目标一个游标")
        parser.add_argument("--out", required=True, help="输出 JSON 文件路径（“-”为标准输出）")
        parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="本次最多导出的事件数")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            payload = export_datasets(options["target"], actor=None, limit=options["limit"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        text = json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True)
        if options["out"] == "-":
            self.stdout.write(text)
            return
        Path(options["out"]).write_text(text + "\n", encoding="utf-8")
        counts = "，".join(f"{payload['dataset_names'][k]} {v}" for k, v in payload["counts"].items())
        self.stderr.write(
            f"已导出到 {options['out']}：{counts}" + ("（还有更多，请再次导出）" if payload["more"] else "")
        )
