"""``yiwang ratings_aggregate``: recount the daily indicator counts of the days marked dirty."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yiwang.ratings.services.aggregates import recount_dirty_days


class Command(BaseCommand):
    help = "Recount the daily 好差评 indicator counts of the days changed since the last run."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"ratings: {recount_dirty_days()} days recounted")
