"""The federation job (every YIWANG_FEDERATION_SYNC_SECONDS): a city pushes its changes up, a province
sends the back-flow down; a standalone instance does nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.exchange.identity import configured_identity
from yiwang.federation.services import KINDS, federation_role, push_backflow, push_changes


class Command(BaseCommand):
    help = (
        "Push the changed cases, licences, ratings and catalogue up (city) or the back-flow down (province)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=KINDS, help="only this kind (a city)")

    def handle(self, *args: Any, **options: Any) -> None:
        role = federation_role()
        if role not in ("city", "province"):
            self.stdout.write("federation: standalone instance, nothing to do")
            return
        if configured_identity() is None:
            self.stdout.write("federation: no exchange identity configured, nothing to do")
            return
        packages = push_changes(options.get("kind")) if role == "city" else push_backflow()
        states = Counter(str(p.state) for p in packages)
        summary = ", ".join(f"{state} {n}" for state, n in sorted(states.items())) or "nothing changed"
        self.stdout.write(f"federation ({role}): {len(packages)} packages: {summary}")
