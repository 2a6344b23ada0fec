"""导入节假日安排: the State Council notice as CSV or JSON, checked, imported, audited."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from yiwang.core.calendar import clear_calendar_cache, is_provisional_year, is_working_day
from yiwang.core.calendar_import import import_schedule, parse_schedule
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent, CalendarDay, CalendarYear

CSV_2031 = "date,kind,name\n2031-01-01,holiday,元旦\n2031-01-04,workday,元旦\n2031-10-01,休,国庆节\n"


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_calendar_cache()
    yield
    clear_calendar_cache()


def test_csv_and_json_parse_to_the_same_schedule() -> None:
    from_csv = parse_schedule(CSV_2031.encode("utf-8-sig"))
    from_json = parse_schedule(
        json.dumps(
            {
                "year": 2031,
                "days": [
                    {"date": "2031-01-01", "kind": "holiday", "name": "元旦"},
                    {"date": "2031-01-04", "kind": "workday", "name": "元旦"},
                    {"date": "2031-10-01", "kind": "holiday", "name": "国庆节"},
                ],
            }
        )
    )
    assert from_csv.year == from_json.year == 2031
    assert from_csv.days == from_json.days
    assert from_csv.days[date(2031, 1, 4)] == ("workday", "元旦")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "CSV"),
        (b"\xff\xfe", "UTF-8"),
        (b"date,kind\n2031-13-01,holiday\n", "YYYY-MM-DD"),
        (b"date,kind\n2031-01-01,vacation\n", "holiday"),
        (b"date,kind\n2031-01-01,holiday\n2031-01-01,holiday\n", "重复"),
        (b"date,kind\n2031-01-01,holiday\n2032-01-01,holiday\n", "同一年度"),
        (b"date,kind\n2031-01-06,workday\n2031-01-01,holiday\n", "调休上班日"),
        (b"date,kind\n2031-01-04,workday\n", "至少"),
        (b'{"days": 3}', "days"),
        (b'{"year": "2031", "days": []}', "year"),
        (b"{not json", "JSON"),
        (b"date,kind\n2031-01-01,holiday\x00\n", "NUL"),
    ],
)
def test_bad_files_are_refused_with_a_reason(content: bytes, fragment: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_schedule(content)
    assert caught.value.status == 422
    assert fragment in caught.value.message


def test_expected_year_is_checked() -> None:
    with pytest.raises(DomainError, match="2030"):
        parse_schedule(CSV_2031, year=2030)


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_schedule_or_a_4xx(content: bytes) -> None:
    try:
        schedule = parse_schedule(content)
    except DomainError as exc:
        assert 400 <= exc.status < 500
    else:
        assert len({day.year for day in schedule.days}) == 1


weekend_days = st.dates(min_value=date(2031, 1, 1), max_value=date(2031, 12, 31)).filter(
    lambda d: d.weekday() >= 5
)


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    st.sets(st.dates(min_value=date(2031, 1, 1), max_value=date(2031, 12, 31)), min_size=1, max_size=30),
    st.sets(weekend_days, max_size=6),
)
def test_round_trip_through_csv_and_json(holidays: set[date], workdays: set[date]) -> None:
    workdays = workdays - holidays
    rows = [(d, "holiday", "假日") for d in sorted(holidays)] + [
        (d, "workday", "调休") for d in sorted(workdays)
    ]
    csv_text = "date,kind,name\n" + "".join(f"{d.isoformat()},{k},{n}\n" for d, k, n in rows)
    json_text = json.dumps({"days": [{"date": d.isoformat(), "kind": k, "name": n} for d, k, n in rows]})
    expected = {d: (k, n) for d, k, n in rows}
    assert parse_schedule(csv_text).days == expected
    assert parse_schedule(json_text).days == expected


@pytest.mark.django_db
def test_import_makes_the_year_official_and_is_audited() -> None:
    assert is_provisional_year(2031)
    year = import_schedule(parse_schedule(CSV_2031))
    assert year.year == 2031 and not is_provisional_year(2031)
    assert is_working_day(date(2031, 1, 4))  # the make-up Saturday
    assert not is_working_day(date(2031, 1, 1))
    assert AuditEvent.objects.filter(action="calendar.schedule_imported").count() == 1
    # A second import replaces the days (nothing left over).
    import_schedule(parse_schedule("date,kind,name\n2031-01-01,holiday,元旦\n"))
    assert not CalendarDay.objects.filter(date=date(2031, 1, 4)).exists()
    assert is_working_day(date(2031, 10, 1)) is True  # Wednesday, no longer listed


@pytest.mark.django_db
def test_import_command(tmp_path: Path) -> None:
    path = tmp_path / "2031.csv"
    path.write_text(CSV_2031, encoding="utf-8")
    out = StringIO()
    call_command("import_calendar", str(path), "--year", "2031", stdout=out)
    assert "2031 年：法定节假日 2 天，调休上班 1 天" in out.getvalue()
    assert CalendarYear.objects.filter(year=2031).exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind\nnot-a-date,holiday\n", encoding="utf-8")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("import_calendar", str(bad))
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_calendar", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_metrics_expose_the_calendar_horizon(client: Client) -> None:
    CalendarYear.objects.filter(year__in=[2030, 2031]).delete()
    CalendarYear.objects.create(year=2030, source="人工录入")
    clear_calendar_cache()
    with time_machine.travel("2030-10-08 10:00:00+08:00", tick=False):
        text = client.get("/metrics").content.decode()
    assert 'yiwang_calendar_year_loaded{year="2030"} 1' in text
    assert 'yiwang_calendar_year_loaded{year="2031"} 0' in text
    assert "yiwang_calendar_horizon_warning 1" in text
    with time_machine.travel("2030-09-08 10:00:00+08:00", tick=False):
        assert "yiwang_calendar_horizon_warning 0" in client.get("/metrics").content.decode()


@pytest.mark.parametrize("content", [b"\r", b"date,kind\r\n2031-01-01,holiday\r\n", b'"\n', b"a\rb\n"])
def test_line_endings_and_stray_quotes(content: bytes) -> None:
    try:
        schedule = parse_schedule(content)
    except DomainError as exc:
        assert exc.status == 422
    else:
        assert schedule.days == {date(2031, 1, 1): ("holiday", "")}
