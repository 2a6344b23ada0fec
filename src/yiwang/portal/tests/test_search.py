"""Item search: full page without JavaScript, the htmx live-results fragment, department filter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.portal.tests import factories

pytestmark = pytest.mark.django_db


def test_search_page_finds_items_by_chinese_words(client, item, django_assert_max_num_queries):
    factories.make_item(
        item.implementing_body, name="食品经营许可", keywords="餐饮", result_name="食品经营许可证"
    )
    with django_assert_max_num_queries(5):
        response = client.get(reverse("portal:search"), {"q": "营业执照"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html  # the whole page
    assert item.name in html
    assert "食品经营许可" not in html
    assert reverse("portal:item_guide", args=[item.public_id]) in html
    assert 'hx-get="/search/"' in html  # live search when JavaScript runs
    assert 'aria-live="polite"' in html


def test_htmx_request_gets_only_the_results(client, item):
    response = client.get(reverse("portal:search"), {"q": "营业执照"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert item.name in html


def test_empty_query_lists_every_published_item(client, item):
    other = factories.make_item(item.implementing_body, name="个体工商户注册登记")
    html = client.get(reverse("portal:search")).content.decode()
    assert item.name in html and other.name in html


def test_department_filter(client, item, other_department):
    police_item = factories.make_item(other_department, name="居民身份证换领")
    html = client.get(
        reverse("portal:search"), {"department": str(other_department.public_id)}
    ).content.decode()
    assert police_item.name in html
    assert item.name not in html.split('id="search-results"')[1]


def test_no_results_says_so(client, item):
    html = client.get(reverse("portal:search"), {"q": "火星移民"}).content.decode()
    assert "没有找到相关事项" in html


def test_pagination_keeps_the_query(client, department, calendar):
    for n in range(12):
        factories.make_item(department, name=f"营业执照变更登记{n}")
    html = client.get(reverse("portal:search"), {"q": "营业执照"}).content.decode()
    assert "page=2" in html and "q=%E8%90%A5" in html
    page2 = client.get(reverse("portal:search"), {"q": "营业执照", "page": "2"})
    assert page2.status_code == 200
    assert client.get(reverse("portal:search"), {"page": "abc"}).status_code == 200
