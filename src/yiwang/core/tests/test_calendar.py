"""工作日历: holidays, make-up workdays and working-day arithmetic."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from yiwang.core.calendar import (
    CalendarYearMissing,
    add_working_days,
    clear_calendar_cache,
    holiday_name,
    is_provisional_year,
    is_working_day,
    loaded_years,
    next_working_day,
    package_years,
    provisional_years_between,
    seed_calendar,
    working_days_between,
)
from yiwang.core.errors import CoreErrorCode
from yiwang.core.models import CalendarDay, CalendarDayKind, CalendarYear


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The process-wide cache only ever holds committed rows; transactional tests commit some.
    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture
def years_2024_2026(db: None) -> None:
    assert seed_calendar([2024, 2025, 2026]) == 3


def test_package_covers_recent_years() -> None:
    assert {2020, 2025, 2026} <= set(package_years())


# --- known facts -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("years_2024_2026")
def test_national_day_2025() -> None:
    for offset in range(8):
        day = date(2025, 10, 1) + timedelta(days=offset)
        assert not is_working_day(day), day
    assert holiday_name(date(2025, 10, 1)) == "国庆节"
    # Make-up workdays on a Sunday and a Saturday.
    assert date(2025, 9, 28).weekday() == 6
    assert is_working_day(date(2025, 9, 28))
    assert date(2025, 10, 11).weekday() == 5
    assert is_working_day(date(2025, 10, 11))
    assert CalendarDay.objects.get(date=date(2025, 10, 11)).kind == CalendarDayKind.MAKEUP_WORKDAY
    assert is_working_day(date(2025, 10, 9))
    assert not is_working_day(date(2025, 10, 12))  # an ordinary Sunday


@pytest.mark.usefixtures("years_2024_2026")
def test_spring_festival_2026_from_chinese_calendar() -> None:
    import chinese_calendar

    festival = [
        day
        for day, name in chinese_calendar.holidays.items()
        if day.year == 2026 and name == "Spring Festival"
    ]
    assert festival
    for day in festival:
        assert not is_working_day(day)
        assert holiday_name(day) == "春节"
    assert date(2026, 2, 17) in festival  # 正月初一
    for day, name in chinese_calendar.workdays.items():
        if day.year == 2026 and name == "Spring Festival":
            assert is_working_day(day)
            assert day.weekday() >= 5


@pytest.mark.usefixtures("years_2024_2026")
def test_add_working_days_across_national_day() -> None:
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 30), 3) == date(2025, 10, 11)  # the make-up Saturday
    assert add_working_days(date(2025, 9, 30), 4) == date(2025, 10, 13)
    assert add_working_days(date(2025, 9, 26), 1) == date(2025, 9, 28)  # Friday → make-up Sunday
    assert add_working_days(date(2025, 6, 6), 1) == date(2025, 6, 9)  # Friday → Monday
    assert add_working_days(date(2025, 10, 3), 0) == date(2025, 10, 3)
    assert add_working_days(date(2025, 10, 9), -1) == date(2025, 9, 30)
    assert add_working_days(date(2025, 10, 13), -2) == date(2025, 10, 10)


@pytest.mark.usefixtures("years_2024_2026")
def test_working_days_between() -> None:
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 11)) == 3
    assert working_days_between(date(2025, 10, 1), date(2025, 10, 8)) == 0
    assert working_days_between(date(2025, 6, 9), date(2025, 6, 9)) == 0
    assert working_days_between(date(2025, 10, 11), date(2025, 9, 30)) == -3
    assert working_days_between(date(2024, 12, 31), date(2026, 1, 1)) == sum(
        1 for offset in range(1, 367) if is_working_day(date(2024, 12, 31) + timedelta(days=offset))
    )


@pytest.mark.usefixtures("years_2024_2026")
def test_next_working_day() -> None:
    assert next_working_day(date(2025, 9, 30)) == date(2025, 10, 9)
    assert next_working_day(date(2025, 10, 9)) == date(2025, 10, 10)
    assert next_working_day(date(2025, 10, 9), inclusive=True) == date(2025, 10, 9)
    assert next_working_day(date(2025, 10, 4), inclusive=True) == date(2025, 10, 9)


# --- missing years ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_year_without_schedule_is_provisional() -> None:
    seed_calendar([2025])
    assert not is_provisional_year(2025)
    CalendarYear.objects.filter(year=2026).delete()
    assert is_provisional_year(2026)
    # 1 January 2026 is a Thursday: 元旦 by the statutory rule, so the first working day is Friday.
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)
    assert holiday_name(date(2026, 1, 1)) == "元旦"
    assert provisional_years_between(date(2025, 12, 1), date(2026, 1, 5)) == [2026]
    assert provisional_years_between(date(2025, 12, 1), date(2025, 12, 5)) == []


@pytest.mark.django_db
def test_year_outside_the_lunar_tables_is_an_explicit_error() -> None:
    with pytest.raises(CalendarYearMissing) as caught:
        is_working_day(date(2100, 1, 4))
    error = caught.value
    assert error.year == 2100
    assert error.code == CoreErrorCode.CALENDAR_YEAR_MISSING
    assert error.status == 409
    assert "2100 年的节假日安排尚未载入" in error.message
    assert "节假日/调休日" in error.message


@pytest.mark.django_db
def test_year_added_by_hand_is_used() -> None:
    assert is_provisional_year(2031)
    assert not is_working_day(date(2031, 1, 1))  # 元旦 by the statutory rule
    assert not is_working_day(date(2031, 1, 4))  # a Saturday: no 调休 is guessed
    CalendarDay.objects.create(date=date(2031, 1, 1), kind=CalendarDayKind.HOLIDAY, name="元旦")
    CalendarDay.objects.create(date=date(2031, 1, 4), kind=CalendarDayKind.MAKEUP_WORKDAY, name="元旦")
    CalendarYear.objects.create(year=2031, source="人工录入")
    assert not is_working_day(date(2031, 1, 1))  # a Wednesday
    assert is_working_day(date(2031, 1, 4))  # a Saturday
    assert loaded_years() == [2031]


# --- seeding ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_is_idempotent(django_assert_max_num_queries: Any) -> None:
    seed_calendar([2025])
    stamps = dict(CalendarDay.objects.values_list("date", "updated_at"))
    with django_assert_max_num_queries(6):
        assert seed_calendar([2025]) == 1
    assert dict(CalendarDay.objects.values_list("date", "updated_at")) == stamps
    assert CalendarYear.objects.get(year=2025).source.startswith("chinese-calendar ")


@pytest.mark.django_db
def test_seed_repairs_edited_days() -> None:
    seed_calendar([2025])
    CalendarDay.objects.filter(date=date(2025, 10, 1)).update(name="误改")
    CalendarDay.objects.create(date=date(2025, 3, 3), kind=CalendarDayKind.HOLIDAY, name="多余")
    seed_calendar([2025])
    assert CalendarDay.objects.get(date=date(2025, 10, 1)).name == "国庆节"
    assert not CalendarDay.objects.filter(date=date(2025, 3, 3)).exists()


@pytest.mark.django_db
def test_years_not_covered_are_not_created() -> None:
    assert seed_calendar([2099]) == 0
    assert not CalendarYear.objects.filter(year=2099).exists()


@pytest.mark.django_db
def test_manual_years_are_kept_unless_replaced() -> None:
    CalendarYear.objects.create(year=2025, source="人工录入（admin）")
    CalendarDay.objects.create(date=date(2025, 3, 3), kind=CalendarDayKind.HOLIDAY, name="地方假日")
    assert seed_calendar([2025]) == 0
    assert not is_working_day(date(2025, 3, 3))
    assert seed_calendar([2025], replace_manual=True) == 1
    assert is_working_day(date(2025, 3, 3))
    assert CalendarYear.objects.get(year=2025).source.startswith("chinese-calendar")


@pytest.mark.django_db
def test_load_calendar_command() -> None:
    out = StringIO()
    call_command("load_calendar", stdout=out)
    expected = [year for year in package_years() if year >= 2020]
    assert loaded_years() == expected
    assert "2025 年：法定节假日" in out.getvalue()
    out = StringIO()
    call_command("load_calendar", "--year", "2025", stdout=out)
    assert "2025 年" in out.getvalue()
    with pytest.raises(CommandError, match="2099"):
        call_command("load_calendar", "--year", "2099", stdout=StringIO())


# --- caching ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("years_2024_2026")
def test_schedule_is_read_once_per_year(django_assert_num_queries: Any) -> None:
    add_working_days(date(2025, 1, 1), 10)
    with django_assert_num_queries(0):
        add_working_days(date(2025, 3, 1), 100)
        working_days_between(date(2025, 1, 1), date(2025, 12, 31))


@pytest.mark.usefixtures("years_2024_2026")
def test_edits_are_seen_at_once() -> None:
    assert is_working_day(date(2025, 3, 3))
    day = CalendarDay.objects.create(date=date(2025, 3, 3), kind=CalendarDayKind.HOLIDAY, name="临时")
    assert not is_working_day(date(2025, 3, 3))
    day.delete()
    assert is_working_day(date(2025, 3, 3))
    CalendarYear.objects.filter(year=2025).get().delete()
    assert is_provisional_year(2025)
    assert is_working_day(date(2025, 3, 3))
    assert not is_working_day(date(2025, 10, 1))


@pytest.mark.django_db(transaction=True)
def test_committed_cache_outside_transactions(django_assert_num_queries: Any) -> None:
    seed_calendar([2025])
    assert is_working_day(date(2025, 3, 3))
    with django_assert_num_queries(0):
        assert is_working_day(date(2025, 3, 4))
    CalendarDay.objects.create(date=date(2025, 3, 3), kind=CalendarDayKind.HOLIDAY, name="临时")
    assert not is_working_day(date(2025, 3, 3))


@pytest.mark.django_db(transaction=True)
def test_reads_in_a_rolled_back_transaction_do_not_leak() -> None:
    seed_calendar([2025])
    assert is_working_day(date(2025, 3, 3))

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        CalendarDay.objects.create(date=date(2025, 3, 3), kind=CalendarDayKind.HOLIDAY, name="临时")
        assert not is_working_day(date(2025, 3, 3))
        raise Abort
    assert is_working_day(date(2025, 3, 3))
    with transaction.atomic():
        assert is_working_day(date(2025, 3, 3))


@pytest.mark.django_db(transaction=True)
def test_schedule_read_in_a_committed_transaction_is_shared(django_assert_num_queries: Any) -> None:
    seed_calendar([2025])
    clear_calendar_cache()
    with transaction.atomic():
        assert is_working_day(date(2025, 3, 3))
    with django_assert_num_queries(0):
        assert is_working_day(date(2025, 3, 4))


@pytest.mark.django_db(transaction=True)
def test_cache_expires(django_assert_num_queries: Any) -> None:
    seed_calendar([2025])
    assert is_working_day(date(2025, 3, 3))
    # A change another node made (no signal reaches this process) shows once the cache expires.
    CalendarDay.objects.bulk_create([CalendarDay(date=date(2025, 3, 3), kind=CalendarDayKind.HOLIDAY)])
    assert is_working_day(date(2025, 3, 3))
    with override_settings(YIWANG_CALENDAR_CACHE_SECONDS=0):
        assert not is_working_day(date(2025, 3, 3))


# --- properties ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("years_2024_2026")
def test_add_then_count_round_trips() -> None:
    @hypothesis_settings(max_examples=300, deadline=None)
    @given(start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 8, 31)), days=st.integers(0, 60))
    def check(start: date, days: int) -> None:
        result = add_working_days(start, days)
        assert working_days_between(start, result) == days
        if days > 0:
            assert result > start
            assert is_working_day(result)
            # No earlier day would do: the day before the result has one working day fewer.
            assert working_days_between(start, result - timedelta(days=1)) == days - 1

    check()


@pytest.mark.usefixtures("years_2024_2026")
def test_counting_matches_day_by_day() -> None:
    @hypothesis_settings(max_examples=200, deadline=None)
    @given(
        start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
        end=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    )
    def check(start: date, end: date) -> None:
        low, high = sorted((start, end))
        brute = sum(
            1 for offset in range(1, (high - low).days + 1) if is_working_day(low + timedelta(days=offset))
        )
        assert working_days_between(low, high) == brute
        assert working_days_between(high, low) == -brute

    check()
