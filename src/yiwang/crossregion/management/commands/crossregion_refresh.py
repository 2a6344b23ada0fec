"""crossregion_refresh: refresh the peers' items open to filing here (signed node requests) and settle
the cases whose filing packages closed after retries.  Run by the scheduler (docs/crossregion.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.crossregion.services import refresh_all, settle_pending


class Command(BaseCommand):
    help = "Refresh remote items of every peer node and settle pending cross-region filings."

    def handle(self, *args: Any, **options: Any) -> None:
        for node_id, outcome in refresh_all().items():
            self.stdout.write(f"{node_id}: {outcome}")
        self.stdout.write(f"settled: {settle_pending()}")
