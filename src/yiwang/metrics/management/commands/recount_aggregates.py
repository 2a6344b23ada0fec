"""Rebuild the case aggregates from every case, or (--check) report keys that drifted."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.metrics import aggregates


class Command(BaseCommand):
    help = "Rebuild the case facts and aggregates from the cases (--check: only compare)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="compare only; exit 1 on drift")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            drifted = aggregates.drift()
            for key in drifted[:50]:
                self.stdout.write(f"drift: {key}")
            self.stdout.write(f"{len(drifted)} key(s) drifted")
            if drifted:
                sys.exit(1)
            return
        rows = aggregates.recount()
        self.stdout.write(f"{rows} aggregate row(s) written")
