"""The to-do page's counts agree and say what they count: 待办办件 is 待受理 + 待审批 (from the same
queue counters), and the workflow task count is labelled as the approval-process tasks of accepted
cases, not set beside the case total as if it were the same thing."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from yiwang.accounts.services import issue_api_token
from yiwang.cases.services import accept_case
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for
from yiwang.workbench import todo_views

pytestmark = pytest.mark.django_db


def _count(page: str, element_id: str) -> int:
    return int(re.search(rf'id="{element_id}">(\d+)<', page).group(1))


@time_machine.travel("2026-03-16 10:00:00+08:00", tick=True)
def test_counts_agree_and_are_labelled(item, citizen, other_citizen, clerk, approver):
    apply_for(item, citizen)
    page = logged_in(clerk).get(reverse("workbench:todo")).content.decode()
    assert "待办总数" not in page
    assert _count(page, "case-total") == 1 == _count(page, "waiting-count")
    assert "待办办件（待受理＋待审批）" in page
    note = page[page.index('id="task-count-note"') :]
    note = note[: note.index("</p>")]
    assert "审批流程任务 0 项" in note and "受理前的办件只计入待受理" in note

    accept_case(apply_for(item, other_citizen), actor=clerk)
    page = logged_in(approver).get(reverse("workbench:todo")).content.decode()
    total, waiting, review = (_count(page, i) for i in ("case-total", "waiting-count", "review-count"))
    assert total == waiting + review == 1 and review == 1
    assert re.search(r"审批流程任务 \d+ 项", page)


@time_machine.travel("2026-03-16 10:00:00+08:00", tick=True)
def test_a_cut_list_still_counts_every_case(item, citizen, other_citizen, clerk, monkeypatch):
    monkeypatch.setattr(todo_views, "TODO_PAGE_SIZE", 1)
    apply_for(item, citizen)
    apply_for(item, other_citizen)
    page = logged_in(clerk).get(reverse("workbench:todo")).content.decode()
    assert _count(page, "case-total") == 2 == _count(page, "waiting-count")


def _api_count(user) -> int:
    client = Client(headers={"Authorization": f"Bearer {issue_api_token(user)}"})
    return client.get("/api/v1/workbench/todo").json()["count"]


@time_machine.travel("2026-03-16 10:00:00+08:00", tick=True)
@pytest.mark.parametrize("counters", [True, False], ids=["queue-counters", "counting"])
def test_the_page_and_the_api_show_one_total(
    item, citizen, other_citizen, clerk, approver, settings, counters
):
    """One total for clerks: the page's 待办办件 is the API's ``count``, also when the list is cut
    and with the queue counters switched off (YIWANG_QUEUE_COUNTERS)."""
    settings.YIWANG_QUEUE_COUNTERS = counters
    apply_for(item, citizen)
    accept_case(apply_for(item, other_citizen), actor=clerk)
    apply_for(item, other_citizen, key="third")
    for user, expected in ((clerk, 2), (approver, 1)):
        page = logged_in(user).get(reverse("workbench:todo")).content.decode()
        assert _count(page, "case-total") == _api_count(user) == expected
