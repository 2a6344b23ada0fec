"""事项清单 (the catalogue manager's item list): keyset pages of 50 rows grouped by department, then name order with
the filters kept, the total of the filter from one COUNT, the same queries for 3 items as for 60."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.models import User
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.tests.factories import ServiceItemFactory, login_verified
from yiwang.core.models import Organisation

URL = "/workbench/catalog/"
CODE = re.compile(r'<td class="mono">([^<]+)</td>')


def make_items(body: Organisation, n: int, **fields: object) -> list[ServiceItem]:
    return [ServiceItemFactory(implementing_body=body, materials=[], **fields) for _ in range(n)]


def listed(client: Client, url: str, params: dict[str, str] | None = None) -> tuple[int, str]:
    client.get(url, params)  # the session settles
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.django_db
def test_the_same_queries_for_3_items_as_for_60(market_bureau: Organisation, manager: User) -> None:
    client = login_verified(Client(), manager)
    make_items(market_bureau, 3)
    few, html = listed(client, URL)
    assert len(CODE.findall(html)) == 3 and "共 3 项" in html
    make_items(market_bureau, 57)
    many, html = listed(client, URL)
    assert len(CODE.findall(html)) == 50
    assert "共 60 项" in html  # the filter's total, not the length of the page
    # session, user, MFA device, roles, scope, review counter, the page, the total, departments
    assert few == many <= 12


@pytest.mark.django_db
def test_pages_cover_every_item_once_and_keep_the_filters(
    market_bureau: Organisation, police_bureau: Organisation, manager: User
) -> None:
    client = login_verified(Client(), manager)
    wanted = make_items(market_bureau, 40) + make_items(police_bureau, 25)
    make_items(market_bureau, 3, status=ItemStatus.DRAFT)
    _count, first = listed(client, URL, {"status": "published"})
    assert "共 65 项" in first
    seen = CODE.findall(first)
    following = link(first, "next")
    assert following and "status=published" in following and "cursor=" in following
    second = client.get(URL + following).content.decode()
    rest = CODE.findall(second)
    assert len(seen) == 50 and len(rest) == 15
    assert sorted(seen + rest) == sorted(item.implementation_code for item in wanted)
    assert link(second, "next") is None
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', first + second)
    bodies = {item.name: item.implementing_body_id for item in wanted}
    in_order = [bodies[name] for name in names]
    assert in_order == sorted(in_order)  # grouped by department, each department's items together
    previous = link(second, "prev")
    assert previous and CODE.findall(client.get(URL + previous).content.decode()) == seen


@pytest.mark.django_db
def test_a_forged_cursor_is_the_first_page(market_bureau: Organisation, manager: User) -> None:
    client = login_verified(Client(), manager)
    item = make_items(market_bureau, 1)[0]
    for cursor in ("x", "eyJkIjoibiIsImsiOlsxLDIsM119", "A" * 5000):
        response = client.get(URL, {"cursor": cursor, "q": item.name})
        assert response.status_code == 200
        assert item.implementation_code in response.content.decode()


def test_a_total_past_the_cap_is_a_lower_bound_and_departments_are_those_with_items(
    market_bureau: Organisation, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from yiwang.catalog import reads

    make_items(market_bureau, 4)
    Organisation.objects.create(name="无事项的部门", region=market_bureau.region)
    monkeypatch.setattr(reads, "ITEM_LIST_COUNT_CAP", 2)
    _, html = listed(login_verified(Client(), manager), URL)
    assert "共 2+ 项" in html
    assert market_bureau.name in html and "无事项的部门" not in html
