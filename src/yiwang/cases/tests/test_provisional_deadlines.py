"""预计时限: a deadline that runs into a year without an official holiday schedule is counted on the
statutory rule, shown as 预计, and recomputed (with a case event) when the schedule is imported."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from yiwang.accounts.models import InboxMessage
from yiwang.cases.models import Case, CaseEventType
from yiwang.cases.services import accept_case, recompute_provisional_deadlines
from yiwang.cases.tests.conftest import SHANGHAI, token_client
from yiwang.cases.tests.factories import submit_case
from yiwang.core.calendar import clear_calendar_cache, is_provisional_year
from yiwang.core.calendar_import import import_schedule, parse_schedule
from yiwang.core.models import CalendarYear
from yiwang.testing.mfa import staff_login

pytestmark = pytest.mark.django_db

# An invented "official" 2027 notice for the test: 元旦 1–4 January (Friday to Monday), no make-up day.
NOTICE_2027 = json.dumps(
    {
        "year": 2027,
        "source": "国办发明电〔2026〕测试",
        "days": [{"date": f"2027-01-0{d}", "kind": "holiday", "name": "元旦"} for d in (1, 2, 3, 4)],
    }
)


@pytest.fixture(autouse=True)
def _no_2027_schedule():
    # Whatever the installed chinese-calendar covers, 2027 is not announced in this story.
    CalendarYear.objects.filter(year=2027).delete()
    clear_calendar_cache()
    yield
    clear_calendar_cache()


@pytest.fixture
def on_15_december():
    with time_machine.travel("2026-12-15 10:00:00+08:00", tick=False) as traveller:
        yield traveller


def test_acceptance_in_december_gives_a_provisional_deadline(item, citizen, clerk, on_15_december):
    assert is_provisional_year(2027)
    case = accept_case(submit_case(item, citizen), actor=clerk)
    # 10 working days from Tue 15 Dec 2026 stay inside 2026 (official); 20 reach into 2027, where
    # 元旦 (Fri 1 Jan) is a statutory holiday: 30, 31 Dec, 4–8 Jan, 11–13 Jan.
    assert case.due_date == date(2026, 12, 29)
    assert case.statutory_due_date == date(2027, 1, 13)
    case.refresh_from_db()
    assert case.deadline_provisional
    assert not case.due_date_provisional
    assert case.statutory_due_date_provisional
    accepted = case.events.get(event_type=CaseEventType.ACCEPTED)
    assert accepted.data["provisional"] is True


def test_import_recomputes_the_deadline_with_an_event(
    item, citizen, clerk, on_15_december, django_capture_on_commit_callbacks
):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    case.refresh_from_db()
    before = {
        "status": case.status,
        "lock_version": case.lock_version,
        "due_date": case.due_date,
        "number": case.number,
    }
    with django_capture_on_commit_callbacks(execute=True):
        import_schedule(parse_schedule(NOTICE_2027.encode()))
    case.refresh_from_db()
    # Official: 1–4 January are holidays, so the 20th working day moves from 13 to 14 January.
    assert case.statutory_due_date == date(2027, 1, 14)
    assert not case.deadline_provisional and not case.statutory_due_date_provisional
    assert {
        "status": case.status,
        "lock_version": case.lock_version,
        "due_date": case.due_date,
        "number": case.number,
    } == before
    event = case.events.get(event_type=CaseEventType.DEADLINE_RECOMPUTED)
    assert event.data["statutory_due_date_before"] == "2027-01-13"
    assert event.data["statutory_due_date"] == "2027-01-14"
    assert event.data["years"] == [2027]
    assert event.actor is None
    message = InboxMessage.objects.filter(user=citizen).order_by("-id").first()
    assert message is not None and "2026-12-29" in message.body  # the committed date it tells
    assert "重新计算" in message.body


def test_recompute_is_idempotent_and_skips_official_cases(item, citizen, clerk, on_15_december):
    provisional = accept_case(submit_case(item, citizen), actor=clerk)
    with time_machine.travel("2026-11-02 10:00:00+08:00", tick=False):
        official = accept_case(submit_case(item, citizen), actor=clerk)
    official.refresh_from_db()
    assert not official.deadline_provisional
    import_schedule(parse_schedule(NOTICE_2027.encode()))  # no commit: run by hand
    assert recompute_provisional_deadlines([2027]) == 1
    assert recompute_provisional_deadlines([2027]) == 0
    assert not official.events.filter(event_type=CaseEventType.DEADLINE_RECOMPUTED).exists()
    assert provisional.events.filter(event_type=CaseEventType.DEADLINE_RECOMPUTED).count() == 1


def test_pages_and_api_show_the_provisional_date(item, citizen, clerk, on_15_december, client):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    staff_login(client, clerk)
    html = client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    assert "badge-provisional" in html and "预计" in html
    client.logout()
    client.force_login(citizen)
    html = client.get(reverse("portal:case_detail", args=[case.public_id])).content.decode()
    assert html.count("badge-provisional") == 1  # the statutory date only; the committed one is official
    body = token_client(citizen).get(f"/api/v1/cases/{case.public_id}").json()
    assert body["statutory_due_date_provisional"] is True
    assert body["due_date_provisional"] is False


def test_case_clock_survives_a_year_boundary_without_any_schedule(item, citizen, clerk):
    """No official schedule for either year: the clock still counts (statutory rule), never refuses."""
    CalendarYear.objects.filter(year__in=[2029, 2030]).delete()
    clear_calendar_cache()
    with time_machine.travel("2029-12-20 10:00:00+08:00", tick=False):
        case = accept_case(submit_case(item, citizen), actor=clerk)
    case.refresh_from_db()
    assert case.deadline_provisional and case.due_date_provisional
    # Thu 20 Dec 2029 + 10: 21, 24–28 Dec, 31 Dec, (1 Jan 2030 元旦, a Tuesday), 2–4 Jan.
    assert case.due_date == date(2030, 1, 4)
    assert Case.objects.get(pk=case.pk).statutory_due_date > date(2030, 1, 4)
    assert SHANGHAI.key == "Asia/Shanghai"
