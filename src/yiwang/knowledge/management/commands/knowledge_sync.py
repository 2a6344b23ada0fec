"""``yiwang knowledge_sync``: guide entries from the published catalogue, drafts from answered tickets."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.knowledge.services import sync_all


class Command(BaseCommand):
    help = (
        "(Re)build the guide entries from the published catalogue and propose entries from answered tickets"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = sync_all()
        self.stdout.write(
            f"guides: {report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.withdrawn} withdrawn; {report.proposed} proposed from tickets"
        )
