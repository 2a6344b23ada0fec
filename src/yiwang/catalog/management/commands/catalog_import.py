"""catalog_import FILE: import items from JSON or Excel; all rows or none.

Creates or updates drafts; a published item gets its revision draft (修订稿) updated, never the
published version.  Errors are printed one per line: "第 N 行 字段：原因".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.catalog.io import import_catalog
from yiwang.core.errors import DomainError
from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context


class Command(BaseCommand):
    help = "导入事项目录 Import items from a .json or .xlsx file (all rows or none)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            with use_context(RequestContext(channel=Channel.CONSOLE)):
                report = import_catalog(path.read_bytes(), filename=path.name)
        except DomainError as exc:
            for line in (exc.fields or {}).get("rows", []):
                self.stderr.write(str(line))
            raise CommandError(exc.message) from exc
        self.stdout.write(f"导入完成：{report}")
