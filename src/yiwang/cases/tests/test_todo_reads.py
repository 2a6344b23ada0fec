"""The to-do reads of the pages (cases/reads.py): ``todo_clock_counts`` counts in SQL exactly the
cases that ``clock_state`` flags overdue / due soon — across weekends and holidays — and
``todo_rows`` pages the API's order."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import timezone

from yiwang.cases import reads
from yiwang.cases.clock import clock_state
from yiwang.cases.models import Case
from yiwang.cases.services import staff_todo
from yiwang.cases.tests.factories import submit_case

pytestmark = pytest.mark.django_db


def copies(case: Case, due_dates: list[dt.date | None], paused_every: int = 0) -> None:
    rows = []
    for index, due in enumerate(due_dates):
        copy = Case.objects.get(pk=case.pk)
        copy.pk = None
        copy.public_id = uuid.uuid4()
        tag = uuid.uuid4().hex[:8]
        copy.number, copy.idempotency_key = f"YW-TEST-{uuid.uuid4().hex[:16]}", f"k-{tag}"
        copy.submitted_at = case.submitted_at + dt.timedelta(minutes=index + 1)
        copy.due_date = due
        copy.clock_paused = bool(paused_every) and index % paused_every == 0
        rows.append(copy)
    Case.objects.bulk_create(rows)


# The day before the 2026 Labour Day holiday, a plain Monday, and a day inside the holiday.
@pytest.mark.parametrize(
    "now", ["2026-04-30 10:00:00+08:00", "2026-03-16 10:00:00+08:00", "2026-05-02 09:00:00+08:00"]
)
def test_clock_counts_equal_the_clock_flags(item, citizen, clerk, now):
    with time_machine.travel(now, tick=False):
        today = timezone.localdate()
        dues = [today + dt.timedelta(days=d) for d in range(-6, 12)] + [None]
        copies(submit_case(item, citizen), dues * 2, paused_every=5)
        cases = list(staff_todo(clerk))
        flags = [clock_state(case, today) for case in cases]
        expected = {
            "overdue": sum(1 for f in flags if f.overdue),
            "due_soon": sum(1 for f in flags if f.due_soon),
        }
        assert reads.todo_clock_counts(clerk) == expected
        assert expected["overdue"] and expected["due_soon"]


def test_clock_counts_are_bounded_and_empty_without_a_queue(item, citizen, clerk, approver):
    with time_machine.travel("2026-03-16 10:00:00+08:00", tick=False):
        copies(submit_case(item, citizen), [timezone.localdate() - dt.timedelta(days=2)] * 7)
        assert reads.todo_clock_counts(clerk, cap=3) == {"overdue": 4, "due_soon": 0}
        assert reads.todo_clock_counts(approver) == {"overdue": 0, "due_soon": 0}  # nothing accepted


def test_todo_rows_page_the_api_order(item, citizen, clerk, django_assert_num_queries):
    with time_machine.travel("2026-03-16 10:00:00+08:00", tick=False):
        copies(submit_case(item, citizen), [None] * 11)
        expected = list(staff_todo(clerk).values_list("number", flat=True))
        first = reads.todo_rows(clerk, None, size=5)
        with django_assert_num_queries(1):
            second = reads.todo_rows(clerk, first.next_cursor, size=5)
            numbers = [case.number for case in second.rows]
            names = [case.item.name for case in second.rows]  # loaded with the row
        third = reads.todo_rows(clerk, second.next_cursor, size=5)
        assert [c.number for c in first.rows] + numbers + [c.number for c in third.rows] == expected
        assert not third.has_next and names[0] == item.name
