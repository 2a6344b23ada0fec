"""What one case contributes to the aggregates (pure rules; docs/dashboards.md).

Day roles (local dates, Asia/Shanghai): the filing day carries ``filed`` and the channel figures;
the acceptance day ``accepted``; the closing day (办结 or 不予受理) the result, on-time and handling
figures; the committed due day ``open_due`` while the case is open and its clock runs.

Visits (跑动次数): filing at the window is one visit; collecting the result at the window is one
more, except for an instant case (即办件) filed at the window, collected on the same visit.  Visits
saved count against the traditional two (申请 + 领取).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone

from yiwang.cases.models import TERMINAL_STATUSES, Case, CaseOutcome, CaseStatus
from yiwang.catalog.models.items import CaseKind
from yiwang.core.calendar import working_days_between
from yiwang.core.models import Channel
from yiwang.metrics.models import COUNTERS, CaseFact

ONLINE_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE, Channel.API})
TRADITIONAL_VISITS = 2
COMPLETED_STATUSES = frozenset({CaseStatus.COMPLETED, CaseStatus.REVOKED})
DECIDED_STATUSES = COMPLETED_STATUSES | {CaseStatus.NOT_ACCEPTED}
CASE_FIELDS = (
    "id",
    "item_id",
    "handling_organisation_id",
    "handling_organisation__region_id",
    "channel",
    "status",
    "outcome",
    "delivery_method",
    "submitted_at",
    "accepted_at",
    "completed_at",
    "due_date",
    "clock_paused",
    "paused_working_days",
    "item__case_kind",
    "item__committed_limit_days",
    "item__statutory_limit_days",
)


def visits(channel: str, delivery_method: str, instant: bool) -> int:
    at_window = channel == Channel.WINDOW
    collect = delivery_method == "window" and not (at_window and instant)
    return int(at_window) + int(collect)


def case_rows() -> Any:
    """The case columns :func:`facts_of` reads (one query, no model instances)."""
    return Case.objects.values(*CASE_FIELDS)


def facts_of(row: dict[str, Any]) -> list[CaseFact]:
    """The fact rows of one case (a dict of :data:`CASE_FIELDS`)."""
    per_day: dict[date, dict[str, int]] = {}

    def add(day: date, **counts: int) -> None:
        bucket = per_day.setdefault(day, {})
        for name, value in counts.items():
            bucket[name] = bucket.get(name, 0) + value

    status = row["status"]
    instant = row["item__case_kind"] == CaseKind.INSTANT
    made = visits(row["channel"], row["delivery_method"], instant)
    add(
        timezone.localdate(row["submitted_at"]),
        filed=1,
        online=int(row["channel"] in ONLINE_CHANNELS),
        zero_visit=int(made == 0),
        one_visit=int(made <= 1),
        immediate=int(instant),
        visits_saved=max(0, TRADITIONAL_VISITS - made),
    )
    accepted_day = timezone.localdate(row["accepted_at"]) if row["accepted_at"] else None
    if accepted_day is not None:
        add(accepted_day, accepted=1)
    if row["completed_at"] is not None and status in DECIDED_STATUSES:
        closed = timezone.localdate(row["completed_at"])
        completed = status in COMPLETED_STATUSES
        counts = {
            "decided": 1,
            "refused": int(status == CaseStatus.NOT_ACCEPTED or row["outcome"] == CaseOutcome.REFUSED),
        }
        if completed:
            counts["completed"] = 1
            if row["due_date"] is not None:
                counts["with_due"] = 1
                counts["on_time"] = int(closed <= row["due_date"])
                counts["late"] = int(closed > row["due_date"])
            if accepted_day is not None:
                handling = max(0, working_days_between(accepted_day, closed) - row["paused_working_days"])
                counts |= {
                    "timed": 1,
                    "handling_days": handling,
                    "committed_days": row["item__committed_limit_days"],
                    "statutory_days": row["item__statutory_limit_days"],
                    "time_saved_days": row["item__statutory_limit_days"] - handling,
                }
        add(closed, **counts)
    if status not in TERMINAL_STATUSES and row["due_date"] is not None and not row["clock_paused"]:
        add(row["due_date"], open_due=1)
    return [
        CaseFact(
            case_id=row["id"],
            day=day,
            organisation_id=row["handling_organisation_id"],
            item_id=row["item_id"],
            region_id=row["handling_organisation__region_id"],
            channel=row["channel"],
            **counts,
        )
        for day, counts in sorted(per_day.items())
    ]


def facts_of_many(rows: Iterable[dict[str, Any]]) -> list[CaseFact]:
    return [fact for row in rows for fact in facts_of(row)]


def zero() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)
