"""The calendar fingerprint: what results computed from working days can be stored under."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.core.calendar import (
    YearSchedule,
    calendar_fingerprint,
    clear_calendar_cache,
    provisional_schedule,
    seed_calendar,
)
from yiwang.core.models import CalendarDay, CalendarDayKind

pytestmark = pytest.mark.django_db(transaction=True)


def test_equal_rows_give_equal_fingerprints_in_any_process() -> None:
    a = YearSchedule(2026, frozenset({date(2026, 10, 1), date(2026, 10, 2)}), frozenset({date(2026, 9, 27)}))
    b = YearSchedule(2026, frozenset({date(2026, 10, 2), date(2026, 10, 1)}), frozenset({date(2026, 9, 27)}))
    assert a.fingerprint == b.fingerprint
    # A stable digest of the dates, not Python's per-process salted hash.
    assert len(a.fingerprint) == 16 and int(a.fingerprint, 16) >= 0
    c = YearSchedule(2026, frozenset({date(2026, 10, 1)}), frozenset({date(2026, 9, 27)}))
    assert c.fingerprint != a.fingerprint


def test_a_changed_day_changes_the_fingerprint() -> None:
    seed_calendar([2026])
    clear_calendar_cache()
    before = calendar_fingerprint([2026])
    CalendarDay.objects.create(date=date(2026, 9, 22), kind=CalendarDayKind.HOLIDAY, name="临时假日")
    assert calendar_fingerprint([2026]) != before


def test_a_year_not_loaded_is_remembered_without_asking_again() -> None:
    clear_calendar_cache()
    first = calendar_fingerprint([2031])
    # Not loaded: counted on the provisional (statutory) schedule, which has its own fingerprint.
    assert first == provisional_schedule(2031).fingerprint
    assert first != YearSchedule(2031, provisional_schedule(2031).holidays, frozenset()).fingerprint
    with CaptureQueriesContext(connection) as queries:
        assert calendar_fingerprint([2031]) == first
    assert len(queries) == 0
    seed_calendar([2026])  # any calendar change forgets what was missing
    with CaptureQueriesContext(connection) as queries:
        calendar_fingerprint([2031])
    assert len(queries) >= 1
