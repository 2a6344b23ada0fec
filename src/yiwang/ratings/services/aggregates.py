"""The daily indicator counts: days marked dirty by every change of an invitation's indicator
columns, recounted by ``yiwang ratings_aggregate`` (one GROUP BY over the day's invitations)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from yiwang.ratings.models import COUNTERS, RatingDay, RatingDirtyDay, RatingInvitation
from yiwang.ratings.reads import bounds, counted


def mark_dirty(served: Iterable[datetime]) -> None:
    """In the caller's transaction: the days of these service times need a recount."""
    days = {timezone.localdate(moment) for moment in served}
    if days:
        RatingDirtyDay.objects.bulk_create(
            [RatingDirtyDay(day=d) for d in sorted(days)], ignore_conflicts=True
        )


def recount_day(day: date) -> int:
    """Replace the day's rows by a fresh count; returns the rows written."""
    with transaction.atomic():
        RatingDirtyDay.objects.filter(day=day).delete()
        RatingDay.objects.filter(day=day).delete()
        first, last = bounds(day, day)
        rows = counted(
            RatingInvitation.objects.filter(served_at__gte=first, served_at__lt=last).values(
                "organisation_id", "item_id", "region_code"
            )
        )
        RatingDay.objects.bulk_create(
            [
                RatingDay(
                    day=day,
                    organisation_id=r["organisation_id"],
                    item_id=r["item_id"],
                    region_code=r["region_code"],
                    **{c: r[c] for c in COUNTERS},
                )
                for r in rows
            ],
            batch_size=1000,
        )
    return len(rows)


def recount_dirty_days(limit: int = 400) -> int:
    """Recount the dirty days (oldest first, at most ``limit`` per run); returns the days done."""
    days = list(RatingDirtyDay.objects.order_by("day").values_list("day", flat=True)[:limit])
    for day in days:
        recount_day(day)
    return len(days)
