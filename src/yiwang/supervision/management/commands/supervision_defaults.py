"""``yiwang supervision_defaults``: install the default supervision rules (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.supervision.services import install_defaults


class Command(BaseCommand):
    help = "Install the default electronic supervision rule set (existing rules are kept)."

    def handle(self, *args: Any, **options: Any) -> None:
        created = install_defaults()
        self.stdout.write(f"supervision_defaults: {created} rules created")
