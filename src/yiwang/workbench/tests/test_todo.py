"""The to-do list (待办): staff only, by role and department, with due-date warnings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.cases.models import Case
from yiwang.cases.services import accept_case
from yiwang.testing import portal as factories
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for
from yiwang.workbench.todo_views import due_state

pytestmark = pytest.mark.django_db


def test_anonymous_user_goes_to_the_workbench_login(client):
    response = client.get(reverse("workbench:todo"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("workbench:login"))


def test_citizen_cannot_use_the_workbench(citizen_client, item, citizen):
    case = apply_for(item, citizen)
    for url in (
        reverse("workbench:todo"),
        reverse("workbench:case_list"),
        reverse("workbench:case_detail", args=[case.public_id]),
        reverse("workbench:result", args=[case.public_id]),
    ):
        response = citizen_client.get(url)
        assert response.status_code == 403, url
        assert "仅限政务服务工作人员" in response.content.decode()
    assert (
        citizen_client.post(
            reverse("workbench:accept", args=[case.public_id]), {"lock_version": "0"}
        ).status_code
        == 403
    )


def test_clerk_sees_new_cases_of_his_department(
    clerk_client, item, citizen, other_department, django_assert_max_num_queries
):
    mine = [apply_for(item, citizen, key=f"k{n}") for n in range(5)]
    foreign_item = factories.make_item(other_department, name="居民身份证换领")
    theirs = apply_for(foreign_item, citizen, key="other")
    # +1: the MFA device (django-otp); +1: the totals from the queue counters, the read the API's
    # count comes from (one total for clerks, test_todo_counts.py); +2: the overdue and due-soon
    # tiles over the whole queue (bounded counts); +2: the calendar, loaded once per process
    # (test_todo_paging.py pins the warm count and that it does not grow with the queue)
    with django_assert_max_num_queries(16):
        response = clerk_client.get(reverse("workbench:todo"))
    html = response.content.decode()
    assert response.status_code == 200
    for case in mine:
        assert case.number in html
    assert theirs.number not in html
    assert "张伟" in html
    assert citizen.natural_person.id_number not in html
    assert '<th scope="col">' in html


def test_approver_sees_accepted_cases_with_due_labels(approver_client, item, citizen, clerk):
    case = accept_case(apply_for(item, citizen), actor=clerk)
    waiting = apply_for(item, citizen, key="waiting")
    html = approver_client.get(reverse("workbench:todo")).content.decode()
    assert case.number in html
    assert waiting.number not in html
    assert case.due_date.strftime("%Y-%m-%d") in html


def test_due_state_labels():
    from datetime import date

    from yiwang.core.calendar import seed_calendar

    seed_calendar([2026])
    today = date(2026, 10, 13)
    case = Case(status="accepted")
    case.due_date = date(2026, 10, 9)  # Sat 10 Oct is a 调休 working day
    assert due_state(case, today) == {"css": "due-overdue", "label": "已超期 3 个工作日"}
    case.due_date = date(2026, 10, 14)
    assert due_state(case, today) == {"css": "due-soon", "label": "即将到期（剩 1 个工作日）"}
    case.due_date = date(2026, 10, 30)
    assert due_state(case, today)["css"] == "due-ok"
    case.clock_paused = True
    assert due_state(case, today)["css"] == "due-paused"
    case.status = "completed"
    assert due_state(case, today) is None


def test_overdue_case_is_labelled_in_the_list(approver, item, citizen, clerk):
    case = accept_case(apply_for(item, citizen), actor=clerk)
    Case.objects.filter(pk=case.pk).update(due_date=timezone.localdate() - timedelta(days=3))
    html = logged_in(approver).get(reverse("workbench:todo")).content.decode()
    assert "due-overdue" in html and "已超期" in html and "个工作日" in html


def test_case_list_filters_by_status_and_number(
    clerk_client, item, citizen, clerk, django_assert_max_num_queries
):
    accepted = accept_case(apply_for(item, citizen, key="a"), actor=clerk)
    submitted = apply_for(item, citizen, key="b")
    with django_assert_max_num_queries(11):  # +1: the MFA device (django-otp)
        html = clerk_client.get(reverse("workbench:case_list"), {"status": "accepted"}).content.decode()
    assert accepted.number in html and submitted.number not in html
    html = clerk_client.get(
        reverse("workbench:case_list"), {"number": submitted.number[-6:]}
    ).content.decode()
    assert submitted.number in html
