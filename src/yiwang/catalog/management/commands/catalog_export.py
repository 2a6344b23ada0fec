"""catalog_export --format json|xlsx -o FILE: export the published catalogue (GB/T 39046 field names)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.catalog.io import export_catalog
from yiwang.core.errors import DomainError
from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context


class Command(BaseCommand):
    help = "导出事项目录 Export the catalogue as JSON or Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument("-o", "--output", required=True, help="output file")
        parser.add_argument("--drafts", action="store_true", help="include drafts and withdrawn items")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with use_context(RequestContext(channel=Channel.CONSOLE)):
                data = export_catalog(options["format"], include_drafts=options["drafts"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        Path(options["output"]).write_bytes(data)
        self.stdout.write(f"已导出到 {options['output']}（{len(data)} 字节）")
