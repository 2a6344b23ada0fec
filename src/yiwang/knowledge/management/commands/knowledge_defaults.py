"""``yiwang knowledge_defaults``: the default FAQs (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.knowledge.services import install_defaults


class Command(BaseCommand):
    help = "Publish the default FAQs of the knowledge base (idempotent)"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{install_defaults()} FAQs installed")
