"""The guide page as a cached published document: one query when cached, ETag/Last-Modified and 304
on If-None-Match, and never stale after the item changes, is withdrawn or republished."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from yiwang.accounts.models import StaffRole
from yiwang.catalog import services
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.portal.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def caching(settings: Any) -> Iterator[None]:
    settings.YIWANG_CATALOG_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def guide_url(item: ServiceItem) -> str:
    return reverse("portal:item_guide", args=[item.public_id])


@pytest.mark.usefixtures("caching")
def test_cached_guide_is_one_query_and_answers_304(
    client: Client, item: ServiceItem, django_assert_num_queries: Callable[..., Any]
) -> None:
    client.get(guide_url(item))  # the visitor's first page sets its CSRF cookie (part of the validator)
    first = client.get(guide_url(item))
    assert first.status_code == 200
    assert first["ETag"].startswith('"') and first["Last-Modified"]
    assert first["Cache-Control"] == "private, no-cache"
    with django_assert_num_queries(1):  # the item's stamp; the body comes from the cache
        again = client.get(guide_url(item))
    body = first.content.decode().split('<nav class="breadcrumb"')[1]
    assert body in again.content.decode()  # the same guide (the page around it has a fresh CSRF mask)
    assert again["ETag"] == first["ETag"]
    with django_assert_num_queries(1):
        not_modified = client.get(guide_url(item), headers={"If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert client.get(guide_url(item), headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.usefixtures("caching")
def test_etag_differs_per_visitor(client: Client, item: ServiceItem) -> None:
    anonymous = client.get(guide_url(item))["ETag"]
    citizen = factories.make_citizen("guide-reader")
    other = Client()
    other.force_login(citizen)
    logged_in = other.get(guide_url(item))
    assert logged_in["ETag"] != anonymous
    # a page cached for the anonymous visitor is not "not modified" for the logged-in one
    assert other.get(guide_url(item), headers={"If-None-Match": anonymous}).status_code == 200


@pytest.mark.usefixtures("caching")
def test_cached_guide_is_never_stale(
    client: Client,
    item: ServiceItem,
    department: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    manager = factories.make_staff(department, "guide-manager", [StaffRole.SERVICE_MANAGER])
    first = client.get(guide_url(item))
    assert "网上申请—受理—审查—决定—送达" in first.content.decode()

    # Any save of the item changes its stamp: the next page shows the change at once.
    item.process_description = "预约—受理—决定"
    item.save()
    changed = client.get(guide_url(item))
    assert "预约—受理—决定" in changed.content.decode()
    assert changed["ETag"] != first["ETag"]
    assert client.get(guide_url(item), headers={"If-None-Match": first["ETag"]}).status_code == 200

    # Withdrawn: 404 at once, also for a visitor holding the old ETag.
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_item(item, manager, reason="依据修订")
    assert client.get(guide_url(item)).status_code == 404
    assert client.get(guide_url(item), headers={"If-None-Match": changed["ETag"]}).status_code == 404

    # Published again (a new version, as publishing a revision gives): served again, new validator.
    item.refresh_from_db()
    item.status = ItemStatus.PUBLISHED
    item.version += 1
    item.save()
    republished = client.get(guide_url(item))
    assert republished.status_code == 200
    assert republished["ETag"] not in (first["ETag"], changed["ETag"])
    assert f"第 {item.version} 版" in republished.content.decode()
