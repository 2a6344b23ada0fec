"""办理时限 The case clock: statutory and committed deadlines in working days.

Rules (docs/cases.md):

* The clock starts on the day of acceptance (受理); limits count the working days *after* it
  (行政许可法 第八十二条, the Chinese calendar with holidays and 调休 from :mod:`yiwang.core.calendar`).
* Pauses: a correction request after acceptance (补正, until supplied or timed out) and a special
  procedure (特别程序, 第四十五条, from start to end) stop the clock.  A pause from day S to day E
  adds the working days after S up to and including E (``working_days_between(S, E)``); an open
  pause counts up to today.  Overlapping pauses count once.
* Approved extensions (延长, 第四十二条) add their days to both deadlines.
* ``due_date = start + committed + extension + paused`` and
  ``statutory_due_date = start + statutory + extension + paused`` (working days).
* Provisional (预计): when the span from the start to either deadline touches a year whose official
  holiday schedule is not loaded, the deadlines are counted on the statutory rule
  (:mod:`yiwang.core.statutory_holidays`) and ``deadline_provisional`` is set; they are recomputed
  when the schedule is entered (``services.recompute_provisional_deadlines``).
* Flags, computed against today: ``overdue`` when today is after the committed due date (for a
  closed case: when it closed after it); ``due_soon`` when at most ``YIWANG_DUE_SOON_WORKING_DAYS``
  (default 2) working days are left.  A paused clock is neither due soon nor overdue.

:func:`recompute_clock` rebuilds all of this from the case's events; it runs on every event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from yiwang.core.calendar import add_working_days, provisional_years_between, working_days_between

if TYPE_CHECKING:
    from yiwang.cases.models import Case

PAUSE_STARTS = {"correction_requested", "special_procedure_started"}
PAUSE_ENDS = {"correction_supplied", "correction_timed_out", "special_procedure_ended"}
EXTENSION_EVENTS = {"extension_approved"}
CLOCK_EVENTS = PAUSE_STARTS | PAUSE_ENDS | EXTENSION_EVENTS


def due_soon_days() -> int:
    return int(getattr(settings, "YIWANG_DUE_SOON_WORKING_DAYS", 2))


@dataclass(frozen=True)
class Deadlines:
    due_date: date
    statutory_due_date: date
    paused_working_days: int
    paused: bool
    provisional: bool = False


def paused_days(start: date, pauses: Iterable[tuple[date, date]]) -> int:
    """Working days covered by the pause intervals (clamped to ``start``; overlaps merged)."""
    spans = sorted((max(a, start), max(b, start)) for a, b in pauses)
    merged: list[list[date]] = []
    for a, b in spans:
        if b < a:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return sum(working_days_between(a, b) for a, b in merged)


def compute_deadlines(
    start: date,
    *,
    committed_days: int,
    statutory_days: int,
    pauses: Sequence[tuple[date, date]] = (),
    extension_days: int = 0,
    paused_now: bool = False,
) -> Deadlines:
    """The calculator: deadlines from the acceptance day, the limits, pauses and extensions."""
    paused = paused_days(start, pauses)
    due_date = add_working_days(start, committed_days + extension_days + paused)
    statutory_due_date = add_working_days(start, statutory_days + extension_days + paused)
    return Deadlines(
        due_date=due_date,
        statutory_due_date=statutory_due_date,
        paused_working_days=paused,
        paused=paused_now,
        provisional=bool(provisional_years_between(start, max(due_date, statutory_due_date))),
    )


def pauses_from_events(
    events: Iterable[tuple[str, date, dict[str, object]]], until: date
) -> tuple[list[tuple[date, date]], int, bool]:
    pauses: list[tuple[date, date]] = []
    open_kinds: dict[str, date] = {}
    extension = 0
    for event_type, day, data in events:
        if event_type in PAUSE_STARTS:
            kind = "correction" if event_type.startswith("correction") else "special"
            open_kinds.setdefault(kind, day)
        elif event_type in PAUSE_ENDS:
            kind = "correction" if event_type.startswith("correction") else "special"
            since = open_kinds.pop(kind, None)
            if since is not None:
                pauses.append((since, day))
        elif event_type in EXTENSION_EVENTS:
            extension += int(data.get("days", 0) or 0)  # type: ignore[call-overload]
    for since in open_kinds.values():
        pauses.append((since, until))
    return pauses, extension, bool(open_kinds)


def recompute_clock(case: Case, today: date | None = None) -> Deadlines | None:
    """Rebuild the case's deadlines from its events and save them (no-op before acceptance)."""
    if case.accepted_at is None:
        return None
    today = today or timezone.localdate()
    start = timezone.localdate(case.accepted_at)
    closed = case.completed_at is not None
    until = timezone.localdate(case.completed_at) if closed and case.completed_at else today
    rows = case.events.filter(event_type__in=CLOCK_EVENTS).order_by("sequence")
    events = [(e.event_type, timezone.localdate(e.occurred_at), e.data or {}) for e in rows]
    pauses, extension, paused_now = pauses_from_events(events, until)
    result = compute_deadlines(
        start,
        committed_days=case.item.committed_limit_days,
        statutory_days=case.item.statutory_limit_days,
        pauses=pauses,
        extension_days=extension,
        paused_now=paused_now and not closed,
    )
    case.due_date = result.due_date
    case.statutory_due_date = result.statutory_due_date
    case.paused_working_days = result.paused_working_days
    case.clock_paused = result.paused
    case.extension_days = extension
    case.deadline_provisional = result.provisional
    type(case).objects.filter(pk=case.pk).update(
        due_date=case.due_date,
        statutory_due_date=case.statutory_due_date,
        paused_working_days=case.paused_working_days,
        clock_paused=case.clock_paused,
        extension_days=extension,
        deadline_provisional=result.provisional,
    )
    return result


@dataclass(frozen=True)
class ClockState:
    working_days_left: int | None
    due_soon: bool
    overdue: bool
    paused: bool


def clock_state(case: Case, today: date | None = None) -> ClockState:
    """Due-soon / overdue flags of a case against today (no queries: calendar is cached)."""
    return clock_state_of(case.due_date, case.completed_at, case.clock_paused, today)


def clock_state_of(
    due_date: date | None, completed_at: datetime | None, clock_paused: bool, today: date | None = None
) -> ClockState:
    """:func:`clock_state` from the three columns it reads, for list rows loaded as plain values."""
    if due_date is None:
        return ClockState(None, False, False, False)
    today = today or timezone.localdate()
    if completed_at is not None:
        closed_on = timezone.localdate(completed_at)
        return ClockState(None, False, closed_on > due_date, False)
    if clock_paused:
        return ClockState(working_days_between(today, due_date), False, False, True)
    left = working_days_between(today, due_date)
    overdue = today > due_date
    return ClockState(left, not overdue and left <= due_soon_days(), overdue, False)


def gap_overdue(case: Case, today: date | None = None) -> bool:
    """容缺 material still missing after its deadline."""
    if case.gap_deadline is None or case.gap_resolved_at is not None or case.completed_at is not None:
        return False
    return (today or timezone.localdate()) > case.gap_deadline
