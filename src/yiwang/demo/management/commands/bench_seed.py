"""``yiwang bench_seed``: fill the database with benchmark volumes (see yiwang.demo.bench_seed)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.errors import DomainError
from yiwang.demo.bench_seed import SCALES, seed


class Command(BaseCommand):
    help = "Create many published implementation items and cases (with events) for benchmarks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=None)
        parser.add_argument("--cases", type=int, default=None)
        parser.add_argument("--scale", choices=sorted(SCALES), default=None, help="preset sizes")
        parser.add_argument("--seed", type=int, default=7, help="random seed (reproducible data)")

    def handle(self, *args: Any, **options: Any) -> None:
        items, cases = SCALES[options["scale"] or "small"]
        if options["items"] is not None:
            items = options["items"]
        if options["cases"] is not None:
            cases = options["cases"]
        if items < 1 or cases < 0:
            raise CommandError("--items must be ≥ 1 and --cases ≥ 0")
        start = time.perf_counter()
        verbose = options["verbosity"] > 1
        try:
            result = seed(
                items, cases, seed_value=options["seed"], log=self.stdout.write if verbose else lambda _: None
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.perf_counter() - start
        self.stdout.write(
            f"bench_seed: {result.items} items, {result.cases} cases, {result.events} events "
            f"in {elapsed:.1f} s"
        )
