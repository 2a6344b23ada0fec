"""Cache of published catalogue data: answers are cached and a publish/withdraw invalidates them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from yiwang.accounts.models import User
from yiwang.catalog import cache as catalog_cache
from yiwang.catalog import services
from yiwang.catalog.models import ServiceItem
from yiwang.catalog.services import save_synonym
from yiwang.catalog.tests.factories import ServiceItemFactory
from yiwang.core.models import Organisation

BASE = "/api/v1/catalog"


@pytest.fixture
def caching(settings: Any) -> Iterator[None]:
    settings.YIWANG_CATALOG_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def item(market_bureau: Organisation) -> ServiceItem:
    return ServiceItemFactory(name="食品经营许可证核发", implementing_body=market_bureau)


def search_count(client: Client, q: str) -> int:
    response = client.get(f"{BASE}/items", {"q": q})
    assert response.status_code == 200
    return int(response.json()["count"])


@pytest.mark.usefixtures("caching")
def test_search_and_guide_are_cached_until_withdraw_and_publish(
    client: Client,
    item: ServiceItem,
    manager: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    assert search_count(client, "食品经营") == 1
    guide = client.get(f"{BASE}/items/{item.public_id}")
    assert guide.status_code == 200 and guide.json()["name"] == "食品经营许可证核发"

    # A change that bypasses the services is not seen: the answers come from the cache, no query.
    ServiceItem.objects.filter(pk=item.pk).update(name="改名不经服务")
    with django_assert_max_num_queries(0):
        assert search_count(client, "食品经营") == 1
        assert client.get(f"{BASE}/items/{item.public_id}").json()["name"] == "食品经营许可证核发"
    ServiceItem.objects.filter(pk=item.pk).update(name="食品经营许可证核发")

    before = catalog_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_item(item, manager, reason="依据修订")
    assert catalog_cache.generation() == before + 1
    assert search_count(client, "食品经营") == 0
    assert client.get(f"{BASE}/items/{item.public_id}").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_item(item, manager)  # a withdrawn version may go live again
    assert search_count(client, "食品经营") == 1
    assert client.get(f"{BASE}/items/{item.public_id}").json()["version"] == item.version


@pytest.mark.usefixtures("caching")
def test_generation_moves_only_after_commit(item: ServiceItem, manager: User) -> None:
    before = catalog_cache.generation()
    with pytest.raises(RuntimeError):
        from django.db import transaction

        with transaction.atomic():
            catalog_cache.bump_on_commit()
            raise RuntimeError("rolled back")
    assert catalog_cache.generation() == before


@pytest.mark.usefixtures("caching")
def test_synonym_change_invalidates_search(
    client: Client, item: ServiceItem, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    assert search_count(client, "吃喝许可") == 0
    with django_capture_on_commit_callbacks(execute=True):
        save_synonym(actor=None, term="吃喝许可", equivalents=["食品经营"])
    assert search_count(client, "吃喝许可") == 1


def test_cache_off_reads_the_database(client: Client, item: ServiceItem) -> None:
    # The test profile switches caching off: every answer reflects the database at once.
    assert search_count(client, "食品经营") == 1
    ServiceItem.objects.filter(pk=item.pk).update(status="withdrawn")
    assert search_count(client, "食品经营") == 0
