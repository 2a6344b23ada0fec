"""The to-do page is paged like the API (50 rows, keyset ``?cursor=``), its query count does not grow
with the queue, and its totals are the queue's — the counters the API answers — not a page's length
(issue #18: the tiles said 200 while 3,387 cases waited)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.services import issue_api_token
from yiwang.cases import queues, reads
from yiwang.cases.models import Case
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for
from yiwang.workbench import todo_views

pytestmark = pytest.mark.django_db

NOW = "2026-03-16 10:00:00+08:00"


def fill_queue(template: Case, n: int, **changes) -> list[Case]:
    """``n`` copies of ``template`` (one per minute after it), counted by the queue counters."""
    copies = []
    for index in range(n):
        case = Case.objects.get(pk=template.pk)
        case.pk = None
        case.public_id = uuid.uuid4()
        tag = uuid.uuid4().hex[:8]
        case.number = f"YW-TEST-{uuid.uuid4().hex[:16]}"
        case.idempotency_key = f"bulk-{tag}"
        case.submitted_at = template.submitted_at + timedelta(minutes=index + 1)
        for name, value in changes.items():
            setattr(case, name, value)
        copies.append(case)
    created = Case.objects.bulk_create(copies)
    queues.rebuild()
    return created


def tile(page: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]+)<', page).group(1)


def numbers(page: str) -> list[str]:
    return re.findall(r'<td class="mono" data-label="[^"]*">([^<]+)</td>', page)


def api(user) -> dict:
    client = Client(headers={"Authorization": f"Bearer {issue_api_token(user)}"})
    return client.get("/api/v1/workbench/todo", {"limit": 200}).json()


def next_link(page: str) -> str | None:
    found = re.search(r'id="todo-next" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


@time_machine.travel(NOW, tick=False)
def test_pages_of_fifty_cover_the_queue_in_the_api_order(item, citizen, clerk):
    fill_queue(apply_for(item, citizen), 119)
    client = logged_in(clerk)
    url = reverse("workbench:todo")
    seen, pages, query = [], [], ""
    while True:
        page = client.get(url + query).content.decode()
        pages.append(len(numbers(page)))
        seen += numbers(page)
        query = next_link(page)
        if query is None:
            break
    assert pages == [50, 50, 20]
    assert seen == [row["number"] for row in api(clerk)["items"]]
    assert len(set(seen)) == 120
    # The last page leads back.
    assert 'id="todo-previous"' in page


@time_machine.travel(NOW, tick=False)
def test_tiles_count_the_whole_queue_and_equal_the_api(item, citizen, clerk):
    first = apply_for(item, citizen)
    today = timezone.localdate()
    fill_queue(first, 70, due_date=today - timedelta(days=5))  # overdue
    fill_queue(Case.objects.order_by("-submitted_at").first(), 60, due_date=today)  # due today: soon
    fill_queue(first, 3, due_date=today - timedelta(days=5), clock_paused=True)  # paused: neither
    page = logged_in(clerk).get(reverse("workbench:todo")).content.decode()
    assert len(numbers(page)) == 50
    total = int(tile(page, "case-total"))
    assert total == api(clerk)["count"] == reads.todo_total(clerk) == 1 + 70 + 60 + 3
    assert int(tile(page, "waiting-count")) == total
    assert tile(page, "overdue-count") == "70"
    assert tile(page, "due-soon-count") == "60"


@time_machine.travel(NOW, tick=False)
def test_clock_tiles_are_bounded(item, citizen, clerk, monkeypatch):
    monkeypatch.setattr(reads, "TODO_CLOCK_CAP", 10)
    fill_queue(apply_for(item, citizen), 15, due_date=timezone.localdate() - timedelta(days=1))
    page = logged_in(clerk).get(reverse("workbench:todo")).content.decode()
    assert tile(page, "overdue-count") == "10+"
    assert reads.todo_clock_counts(clerk, cap=10)["overdue"] == 11
    assert reads.todo_clock_counts(clerk, cap=100)["overdue"] == 15


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "cursor", ["garbage", "eyJkIjoibiIsImsiOlsxXX0", "x" * 5000, "eyJkIjoibiIsImsiOlsieSIsMV19"]
)
def test_a_forged_cursor_is_the_first_page(item, citizen, clerk, cursor):
    case = apply_for(item, citizen)
    response = logged_in(clerk).get(reverse("workbench:todo"), {"cursor": cursor})
    assert response.status_code == 200
    assert numbers(response.content.decode()) == [case.number]


def count_queries(client, django_assert_max_num_queries, limit: int) -> int:
    client.get(reverse("workbench:todo"))  # warm: session, MFA device, calendar caches
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("workbench:todo")).content.decode()
    assert numbers(page)
    with django_assert_max_num_queries(limit):
        client.get(
            reverse("workbench:todo") + next_link(page) if next_link(page) else reverse("workbench:todo")
        )
    return len(ctx.captured_queries)


QUERY_LIMIT = 12  # session, user, MFA device, roles, rows, counters, clock tiles ×2, tasks …


@time_machine.travel(NOW, tick=False)
def test_query_count_does_not_grow_with_the_queue(item, citizen, clerk, django_assert_max_num_queries):
    case = apply_for(item, citizen)
    client = logged_in(clerk)
    fill_queue(case, 4)
    small = count_queries(client, django_assert_max_num_queries, QUERY_LIMIT)
    fill_queue(case, 115)
    large = count_queries(client, django_assert_max_num_queries, QUERY_LIMIT)
    assert small == large <= QUERY_LIMIT


@time_machine.travel(NOW, tick=False)
def test_page_size_is_fifty():
    assert todo_views.TODO_PAGE_SIZE == reads.TODO_PAGE_SIZE == 50


@time_machine.travel(NOW, tick=False)
def test_department_list_is_keyset_paged_newest_first(item, citizen, clerk, django_assert_max_num_queries):
    fill_queue(apply_for(item, citizen), 59)
    client = logged_in(clerk)
    url = reverse("workbench:case_list")
    first = client.get(url, {"status": "submitted"}).content.decode()
    following = re.search(r'id="list-next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "status=submitted" in following
    with django_assert_max_num_queries(QUERY_LIMIT):
        second = client.get(url + following).content.decode()
    expected = list(Case.objects.order_by("-submitted_at", "-id").values_list("number", flat=True))
    assert numbers(first) + numbers(second) == expected and len(numbers(first)) == 50
    assert 'id="list-previous"' in second and 'id="list-next"' not in second
