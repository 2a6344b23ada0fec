"""Hall screen (大厅屏) and the search page filters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.catalog.io import set_item_themes
from yiwang.catalog.models import ItemStatus
from yiwang.portal.tests.factories import make_item

pytestmark = pytest.mark.django_db


def test_hall_screen_lists_published_items_by_department(
    client, item, department, other_department, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    make_item(other_department, name="居民身份证换领")
    make_item(department, name="草稿事项", status=ItemStatus.DRAFT)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("portal:hall_items"))
    html = response.content.decode()
    assert response.status_code == 200
    assert item.name in html and "居民身份证换领" in html and "草稿事项" not in html
    assert 'hx-trigger="every 60s"' in html and "<h1>" in html
    partial = client.get(reverse("portal:hall_items"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and item.name in partial
    one = client.get(
        reverse("portal:hall_items"), {"department": str(other_department.public_id)}
    ).content.decode()
    assert "居民身份证换领" in one and item.name not in one
    assert client.get(reverse("portal:hall_items"), {"department": "x"}).status_code == 200


def test_search_page_filters(client, item, department) -> None:  # type: ignore[no-untyped-def]
    other = make_item(department, name="公共场所卫生许可", online_depth=["1", "2"], service_objects=["2"])
    set_item_themes(other, ["c02"], actor=None)
    url = reverse("portal:search")
    html = client.get(url, {"theme": "c02"}).content.decode()
    assert "公共场所卫生许可" in html and f">{item.name}<" not in html
    full = client.get(url, {"full": "1"}).content.decode()
    assert f">{item.name}<" in full and "公共场所卫生许可" not in full
    page = client.get(url).content.decode()
    assert 'id="search-theme"' in page and 'id="search-full"' in page and "准营准办" in page
