"""法定节假日推算: the provisional schedule of a year the State Council has not announced yet."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from yiwang.core.statutory_holidays import (
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    statutory_holidays,
)


def test_2027_festivals_from_the_lunar_calendar() -> None:
    days = statutory_holidays(2027)
    # 2027: 春节 is 6 February (除夕 5 February); 清明 5 April; 端午 9 June; 中秋 15 September.
    assert days[date(2027, 1, 1)] == "元旦"
    assert [d for d, name in days.items() if name == "春节"] == [
        date(2027, 2, 5),
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),
    ]
    assert days[date(2027, 4, 5)] == "清明节"
    assert days[date(2027, 6, 9)] == "端午节"
    assert days[date(2027, 9, 15)] == "中秋节"
    assert days[date(2027, 5, 1)] == "劳动节"
    assert days[date(2027, 10, 1)] == "国庆节"


def test_weekend_festival_days_are_made_up_on_the_next_working_day() -> None:
    days = statutory_holidays(2027)
    # 春节 2027: 6 and 7 February are Saturday and Sunday, so two 补假 days follow the festival
    # (Tuesday 9 and Wednesday 10 February).
    assert days[date(2027, 2, 9)] == "春节（补假）"
    assert days[date(2027, 2, 10)] == "春节（补假）"
    # 劳动节 2027: 1–2 May are Saturday and Sunday: made up on Monday 3 and Tuesday 4 May.
    assert days[date(2027, 5, 3)] == "劳动节（补假）"
    assert days[date(2027, 5, 4)] == "劳动节（补假）"
    # 国庆节 2027: 2 and 3 October are a weekend: made up on Monday 4 and Tuesday 5 October.
    assert days[date(2027, 10, 4)] == "国庆节（补假）"
    assert days[date(2027, 10, 5)] == "国庆节（补假）"


def test_coinciding_festivals_are_both_kept() -> None:
    # 2028: 中秋 falls on 3 October, inside 国庆节; the law gives a day for each festival.
    days = statutory_holidays(2028)
    weekday_days = [d for d in days if d.weekday() < 5 and d.month == 10]
    assert date(2028, 10, 3) in days
    # 1 October is a Sunday: 国庆 takes Monday 2, Tuesday 3 and its make-up Wednesday 4; 中秋's own
    # day is made up on Thursday 5.
    assert weekday_days == [date(2028, 10, d) for d in (2, 3, 4, 5)]
    assert days[date(2028, 10, 5)] == "中秋节（补假）"


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.integers(min_value=FIRST_SUPPORTED_YEAR + 1, max_value=LAST_SUPPORTED_YEAR))
def test_every_year_has_the_statutory_count(year: int) -> None:
    days = statutory_holidays(year)
    assert all(d.year == year for d in days)
    # Thirteen festival days; every one lands on a weekday, itself or as a make-up day.
    festival_weekdays = [d for d, name in days.items() if d.weekday() < 5]
    assert len(festival_weekdays) == 13
    assert date(year, 1, 1) in days and date(year, 10, 1) in days


def test_years_outside_the_tables_are_refused() -> None:
    with pytest.raises(ValueError, match="no lunar data"):
        statutory_holidays(LAST_SUPPORTED_YEAR + 1)
