"""``yiwang ratings_defaults``: the standard reasons and default deadline rules (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.ratings.services import install_defaults


class Command(BaseCommand):
    help = "Install the standard rating reasons and the default rectification deadline rules (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        reasons, rules = install_defaults()
        self.stdout.write(f"ratings: {reasons} reasons and {rules} rules created")
