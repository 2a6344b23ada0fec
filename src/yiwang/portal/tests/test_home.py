"""Home page: search box, popular items, departments; the base layout's accessibility basics."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.catalog.models import ItemStatus
from yiwang.portal.tests import factories

pytestmark = pytest.mark.django_db


def test_home_lists_popular_items_and_departments(client, item, django_assert_max_num_queries):
    factories.make_item(item.implementing_body, name="草稿事项", status=ItemStatus.DRAFT)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert item.name in html
    assert "草稿事项" not in html
    assert item.implementing_body.name in html
    assert f"?department={item.implementing_body.public_id}" in html
    assert 'role="search"' in html


def test_base_layout_landmarks_and_skip_link(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="zh-CN"' in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert "12345" in html  # supervision phone in the footer
    assert "长辈版" in html
    assert 'action="/i18n/setlang/"' in html


def test_language_switch_to_english_sets_lang(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html


@pytest.mark.parametrize("path", ["/", "/search/?q=%E8%90%A5%E4%B8%9A", "/login/", "/register/", "/status/"])
def test_pages_render_in_english(client, item, path):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get(path)
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()


def test_guide_renders_in_english(client, item):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get(reverse("portal:item_guide", args=[item.public_id])).status_code == 200


def test_unknown_page_uses_the_site_404(client, db, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
