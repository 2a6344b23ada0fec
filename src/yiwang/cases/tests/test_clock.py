"""办理时限: deadlines in working days on the real 2026 calendar (春节, 国庆 and their 调休 Saturdays),
paused by special procedures and post-acceptance corrections, extended by approved extensions."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.accounts.models import User
from yiwang.cases import variants
from yiwang.cases.clock import clock_state, compute_deadlines, paused_days, recompute_clock
from yiwang.cases.models import Case
from yiwang.cases.services import accept_case
from yiwang.cases.tests.conftest import SHANGHAI, token_client
from yiwang.cases.tests.factories import submit_case
from yiwang.catalog.models import ServiceItem
from yiwang.core.calendar import add_working_days, is_working_day, seed_calendar, working_days_between

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False)


def accepted_on(day: date, item: ServiceItem, citizen: User, clerk: User) -> Case:
    with at(day):
        return accept_case(submit_case(item, citizen), actor=clerk)


def test_spring_festival_with_make_up_saturdays(item, citizen, clerk):
    # Accepted Mon 9 Feb 2026: Sat 14 Feb and Sat 28 Feb are 调休 workdays, 15–23 Feb are 春节.
    case = accepted_on(date(2026, 2, 9), item, citizen, clerk)
    assert is_working_day(date(2026, 2, 14)) and is_working_day(date(2026, 2, 28))
    assert case.due_date == date(2026, 2, 28)  # 10: 10–14 Feb (5), 24–28 Feb (5)
    assert case.statutory_due_date == date(2026, 3, 13)  # 20
    case.refresh_from_db()
    assert (case.due_date, case.statutory_due_date, case.paused_working_days) == (
        date(2026, 2, 28),
        date(2026, 3, 13),
        0,
    )


def test_national_day_with_sunday_make_up_day(item, citizen, clerk):
    # Accepted Fri 18 Sep 2026: Sun 20 Sep works, 25 Sep 中秋, 1–7 Oct 国庆, Sat 10 Oct works.
    case = accepted_on(date(2026, 9, 18), item, citizen, clerk)
    assert case.due_date == date(2026, 10, 9)
    assert case.statutory_due_date == date(2026, 10, 22)


def test_special_procedure_pauses_the_clock(item, citizen, clerk, approver):
    case = accepted_on(date(2026, 9, 21), item, citizen, clerk)
    assert (case.due_date, case.statutory_due_date) == (date(2026, 10, 12), date(2026, 10, 26))
    with at(date(2026, 9, 22)):
        variants.start_special_procedure(case, actor=approver, kind="expert_review", reason="组织专家评审")
    with at(date(2026, 9, 24)):  # open pause counts up to today: 23, 24 Sep
        case.refresh_from_db()
        assert case.clock_paused
        recompute_clock(case)
        assert case.paused_working_days == 2
        assert clock_state(case).paused and not clock_state(case).overdue
    with at(date(2026, 9, 28)):
        procedure = variants.end_special_procedure(case, actor=approver, result="专家评审通过")
    case.refresh_from_db()
    assert procedure.paused_working_days == 3  # 23, 24, 28 Sep (25–27 are 中秋)
    assert case.paused_working_days == 3 and not case.clock_paused
    assert case.due_date == date(2026, 10, 15)
    assert case.statutory_due_date == date(2026, 10, 29)


def test_approved_extension_moves_both_deadlines(item, citizen, clerk, approver, department):
    from yiwang.cases.tests.factories import make_staff

    handler = make_staff(department, "handler", ("handler",))
    case = accepted_on(date(2026, 9, 21), item, citizen, clerk)
    with at(date(2026, 10, 20)):
        variants.request_extension(case, actor=handler, days=10, reason="需现场核查")
        case.refresh_from_db()
        assert case.statutory_due_date == date(2026, 10, 26)  # not yet approved
        variants.decide_extension(case, actor=approver, approve=True, comment="同意延长")
    case.refresh_from_db()
    assert case.extension_days == 10
    assert case.statutory_due_date == date(2026, 11, 9)
    assert case.due_date == date(2026, 10, 26)


def test_due_soon_and_overdue_flags(item, citizen, clerk, settings):
    settings.YIWANG_DUE_SOON_WORKING_DAYS = 2
    case = accepted_on(date(2026, 9, 21), item, citizen, clerk)  # due Mon 12 Oct
    assert clock_state(case, date(2026, 10, 8)).working_days_left == 3  # 9, 10 (Sat 调休), 12
    assert not clock_state(case, date(2026, 10, 8)).due_soon
    assert clock_state(case, date(2026, 10, 9)).due_soon
    assert clock_state(case, date(2026, 10, 12)).due_soon
    late = clock_state(case, date(2026, 10, 13))
    assert late.overdue and not late.due_soon
    settings.YIWANG_DUE_SOON_WORKING_DAYS = 3
    assert clock_state(case, date(2026, 10, 8)).due_soon


def test_flags_in_api_and_todo(item, citizen, clerk):
    case = accepted_on(date(2026, 9, 21), item, citizen, clerk)
    with at(date(2026, 10, 13)):
        body = token_client(citizen).get(f"/api/v1/cases/{case.public_id}").json()
        assert body["overdue"] is True and body["due_soon"] is False
        assert body["statutory_due_date"] == "2026-10-26"
        assert body["paused_working_days"] == 0
    with at(date(2026, 10, 9)):
        body = token_client(citizen).get("/api/v1/cases").json()
        assert body["items"][0]["due_soon"] is True


def test_list_flags_cost_no_extra_queries(item, citizen, clerk, django_assert_max_num_queries):
    for _ in range(3):
        accepted_on(date(2026, 9, 21), item, citizen, clerk)
    client = token_client(citizen)
    client.get("/api/v1/cases")  # warm the calendar cache
    with at(date(2026, 10, 9)), django_assert_max_num_queries(12):
        body = client.get("/api/v1/cases").json()
    assert body["count"] == 3 and all(row["due_soon"] for row in body["items"])


def test_completed_late_is_overdue(item, citizen, clerk, approver):
    from yiwang.cases.services import decide_case

    case = accepted_on(date(2026, 9, 21), item, citizen, clerk)
    with at(date(2026, 10, 14)):
        decide_case(case, actor=approver, approve=True)
    case.refresh_from_db()
    state = clock_state(case, date(2026, 12, 1))
    assert state.overdue and not state.due_soon


# --- the calculator (property tests) -------------------------------------------------------------
DAYS_2026 = st.dates(min_value=date(2026, 1, 5), max_value=date(2026, 8, 31))


@pytest.fixture
def calendar_2026(db: None) -> None:
    seed_calendar([2026])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=DAYS_2026,
    committed=st.integers(0, 20),
    extra=st.integers(0, 25),
    extension=st.integers(0, 15),
    pauses=st.lists(st.tuples(st.integers(-10, 40), st.integers(0, 30)), max_size=3),
)
def test_calculator_properties(calendar_2026, start, committed, extra, extension, pauses):
    statutory = committed + extra
    spans = [(start + timedelta(days=a), start + timedelta(days=a + length)) for a, length in pauses]
    result = compute_deadlines(
        start, committed_days=committed, statutory_days=statutory, pauses=spans, extension_days=extension
    )
    paused = result.paused_working_days
    assert paused >= 0
    assert working_days_between(start, result.due_date) == committed + extension + paused
    assert working_days_between(start, result.statutory_due_date) == statutory + extension + paused
    assert result.due_date <= result.statutory_due_date
    if committed + extension + paused:
        assert is_working_day(result.due_date)
    # a pause never brings a deadline forward, and the same pause twice counts once
    bare = compute_deadlines(
        start, committed_days=committed, statutory_days=statutory, extension_days=extension
    )
    assert bare.due_date <= result.due_date
    assert paused_days(start, spans + spans) == paused
    # a pause wholly before the start counts nothing
    assert paused_days(start, [(start - timedelta(days=30), start - timedelta(days=1))]) == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=DAYS_2026, a=st.integers(0, 30), b=st.integers(0, 30))
def test_single_pause_counts_its_working_days(calendar_2026, start, a, b):
    first, last = sorted((start + timedelta(days=a), start + timedelta(days=b)))
    assert paused_days(start, [(first, last)]) == working_days_between(first, last)
    assert add_working_days(start, paused_days(start, [(first, last)])) >= start


def test_pauses_from_events_rules():
    from yiwang.cases.clock import pauses_from_events

    d = date
    events = [
        ("correction_requested", d(2026, 9, 10), {}),  # before acceptance: clamped away later
        ("correction_supplied", d(2026, 9, 15), {}),
        ("special_procedure_started", d(2026, 9, 22), {}),
        ("correction_requested", d(2026, 9, 23), {}),  # overlaps the special procedure
        ("correction_timed_out", d(2026, 9, 24), {}),
        ("special_procedure_ended", d(2026, 9, 28), {}),
        ("extension_approved", d(2026, 9, 29), {"days": 10}),
        ("special_procedure_started", d(2026, 10, 12), {}),  # still open: counts up to "until"
    ]
    pauses, extension, open_now = pauses_from_events(events, until=d(2026, 10, 14))
    assert extension == 10 and open_now
    assert pauses == [
        (d(2026, 9, 10), d(2026, 9, 15)),
        (d(2026, 9, 23), d(2026, 9, 24)),
        (d(2026, 9, 22), d(2026, 9, 28)),
        (d(2026, 10, 12), d(2026, 10, 14)),
    ]


def test_paused_days_clamp_and_merge(calendar_2026):
    start = date(2026, 9, 21)
    pauses = [
        (date(2026, 9, 10), date(2026, 9, 15)),  # before acceptance
        (date(2026, 9, 23), date(2026, 9, 24)),
        (date(2026, 9, 22), date(2026, 9, 28)),  # 23, 24, 28 (25 中秋)
        (date(2026, 10, 12), date(2026, 10, 14)),  # 13, 14
    ]
    assert paused_days(start, pauses) == 5
