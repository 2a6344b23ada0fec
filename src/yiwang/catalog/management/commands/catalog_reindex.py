"""catalog_reindex: rebuild the search columns and the full-text index of every item."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.catalog.search import rebuild_search_index


class Command(BaseCommand):
    help = "重建事项检索索引 Rebuild the search index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fts-only", action="store_true", help="only refill the SQLite FTS5 table from search_text"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count = rebuild_search_index(recompute=not options["fts_only"])
        self.stdout.write(f"已重建 {count} 个事项的检索索引")
