"""办件库 (staff library search): 50 rows a page, keyset paged in the search's order, a bounded
total ("1000+" beyond the cap) and a query count that does not grow with the scope."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.cases.models import Case
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for
from yiwang.workbench import records_views
from yiwang.workbench.tests.test_todo_paging import fill_queue

pytestmark = pytest.mark.django_db

NOW = "2026-03-16 10:00:00+08:00"
URL = "/workbench/library/"
QUERY_LIMIT = 12  # session, user, MFA, roles, scope, rows, total, archives, filter options …


def numbers(page: str) -> list[str]:
    return re.findall(r'<td class="mono">([^<]+)</td>', page)


def link(page: str, name: str) -> str | None:
    found = re.search(rf'id="library-{name}" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


@time_machine.travel(NOW, tick=False)
def test_pages_of_fifty_cover_the_search_newest_first(item, citizen, clerk):
    fill_queue(apply_for(item, citizen), 109)
    client = logged_in(clerk)
    seen, sizes, query = [], [], ""
    while True:
        page = client.get(URL + query).content.decode()
        sizes.append(len(numbers(page)))
        seen += numbers(page)
        query = link(page, "next")
        if query is None:
            break
    assert sizes == [50, 50, 10]
    assert "共 110 件" in page
    expected = list(Case.objects.order_by("-submitted_at", "-id").values_list("number", flat=True))
    assert seen == expected
    back = client.get(URL + link(page, "previous")).content.decode()
    assert numbers(back) == expected[50:100]


@time_machine.travel(NOW, tick=False)
def test_filters_survive_paging(item, citizen, clerk):
    fill_queue(apply_for(item, citizen), 60)
    page = logged_in(clerk).get(URL, {"status": "submitted"}).content.decode()
    assert "status=submitted" in link(page, "next")


@time_machine.travel(NOW, tick=False)
def test_the_total_is_bounded(item, citizen, clerk, monkeypatch):
    monkeypatch.setattr(records_views, "LIBRARY_COUNT_CAP", 20)
    fill_queue(apply_for(item, citizen), 30)
    page = logged_in(clerk).get(URL).content.decode()
    assert "共 20+ 件" in page


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("cursor", ["nonsense", "eyJkIjoibiIsImsiOlsxXX0", "é" * 3000])
def test_a_forged_cursor_is_the_first_page(item, citizen, clerk, cursor):
    case = apply_for(item, citizen)
    response = logged_in(clerk).get(URL, {"cursor": cursor})
    assert response.status_code == 200
    assert numbers(response.content.decode()) == [case.number]


def queries(client) -> int:
    client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(URL).content.decode()
    assert numbers(page)
    return len(ctx.captured_queries)


@time_machine.travel(NOW, tick=False)
def test_query_count_does_not_grow_with_the_scope(item, citizen, clerk, django_assert_max_num_queries):
    case = apply_for(item, citizen)
    client = logged_in(clerk)
    small = queries(client)
    fill_queue(case, 120)
    large = queries(client)
    assert small == large <= QUERY_LIMIT
    with django_assert_max_num_queries(QUERY_LIMIT):
        client.get(URL)
