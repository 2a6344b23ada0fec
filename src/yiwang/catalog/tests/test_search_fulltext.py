"""Full-text search on both databases: index sync, synonyms (staff-managed), filters, synonyms page."""

from __future__ import annotations

import pytest
from django.db import connection

from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.io import set_item_themes
from yiwang.catalog.models import ItemStatus, ServiceItem, Synonym
from yiwang.catalog.search import (
    FTS_TABLE,
    fulltext_match,
    query_alternatives,
    rebuild_search_index,
    search_items,
)
from yiwang.catalog.services import delete_synonym, save_synonym
from yiwang.catalog.tests.factories import ServiceItemFactory
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation

pytestmark = pytest.mark.django_db


def names(query: str, **kwargs: object) -> list[str]:
    items, _ = search_items(query, **kwargs)  # type: ignore[arg-type]
    return [item.name for item in items]


@pytest.fixture
def catalogue(market_bureau: Organisation, police_bureau: Organisation) -> dict[str, ServiceItem]:
    items = {
        "getihu": ServiceItemFactory(
            name="个体工商户设立登记",
            implementing_body=market_bureau,
            service_objects=["1", "2"],
            exercise_level="4",
        ),
        "food": ServiceItemFactory(
            name="食品经营许可",
            implementing_body=market_bureau,
            service_objects=["2"],
            online_depth=["1", "2", "3", "4", "5", "6", "7"],
        ),
        "id_card": ServiceItemFactory(
            name="居民身份证换领", implementing_body=police_bureau, service_objects=["1"]
        ),
        "dibao": ServiceItemFactory(name="最低生活保障申请", implementing_body=police_bureau),
    }
    set_item_themes(items["getihu"], ["c01"], actor=None)
    set_item_themes(items["food"], ["c02"], actor=None)
    return items


def test_the_index_is_the_database_one(catalogue: dict[str, ServiceItem]) -> None:
    match = fulltext_match(["营业执照"])
    assert match is not None
    sql = str(ServiceItem.objects.filter(match).query)
    if connection.vendor == "sqlite":
        assert f"{FTS_TABLE} MATCH" in sql
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE rowid = %s", [catalogue["food"].pk])  # noqa: S608
            assert cursor.fetchone()[0] == 1
    else:
        assert "@@" in sql and "array_to_tsvector" in sql
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'catalog_item_search_gin'")
            assert "gin" in cursor.fetchone()[0]


def test_chinese_words_pinyin_initials_and_bigrams(catalogue: dict[str, ServiceItem]) -> None:
    assert names("个体工商户") == ["个体工商户设立登记"]
    assert names("工商户") == ["个体工商户设立登记"]
    assert names("gtgsh") == ["个体工商户设立登记"]
    assert names("gongshanghu") == ["个体工商户设立登记"]
    assert names("shipin") == ["食品经营许可"]
    assert names("换领") == ["居民身份证换领"]
    assert names("经营许可") == ["食品经营许可"]


def test_index_follows_service_changes(catalogue: dict[str, ServiceItem]) -> None:
    from yiwang.catalog.search import refresh_search_fields

    food = catalogue["food"]
    ServiceItem.objects.filter(pk=food.pk).update(keywords="开饭店 小吃店")
    food.refresh_from_db()
    assert names("小吃店") == []
    refresh_search_fields(food)
    assert names("小吃店") == ["食品经营许可"]
    assert rebuild_search_index() == 4
    assert names("小吃店") == ["食品经营许可"]


def test_staff_managed_synonyms(catalogue: dict[str, ServiceItem], manager) -> None:  # type: ignore[no-untyped-def]
    assert names("吃饭许可") == []
    synonym = save_synonym(actor=manager, term="吃饭许可", equivalents="食品经营许可、餐饮许可")
    assert query_alternatives("吃饭许可") == ["吃饭许可", "食品经营许可", "餐饮许可"]
    assert names("吃饭许可") == ["食品经营许可"]
    assert names("餐饮许可")[0] == "食品经营许可"  # the group is symmetric
    save_synonym(
        actor=manager, synonym=synonym, term="吃饭许可", equivalents=["食品经营许可"], is_active=False
    )
    assert names("吃饭许可") == []
    delete_synonym(synonym, actor=manager)
    assert not Synonym.objects.filter(term="吃饭许可").exists()


def test_seeded_synonyms_find_formal_names(catalogue: dict[str, ServiceItem]) -> None:
    assert Synonym.objects.filter(term="低保").exists()  # seeded by migration 0005
    assert names("个体户") == ["个体工商户设立登记"]
    assert names("身份证")[0] == "居民身份证换领"  # the name ranks first (every item asks for the ID card)


def test_synonym_validation_and_permissions(catalogue: dict[str, ServiceItem], manager, clerk) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as exc:
        save_synonym(actor=manager, term="", equivalents="")
    assert exc.value.code == CatalogErrorCode.INVALID_SYNONYM and set(exc.value.fields) == {
        "term",
        "equivalents",
    }
    with pytest.raises(DomainError) as exc:
        save_synonym(actor=clerk, term="甲", equivalents="乙")
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        save_synonym(actor=manager, term="低保", equivalents="最低生活保障")
    assert exc.value.status == 409


def test_filters(catalogue: dict[str, ServiceItem]) -> None:
    assert set(names("", service_object="2")) == {"个体工商户设立登记", "食品经营许可"}
    assert names("", theme="c02") == ["食品经营许可"]
    assert names("许可", theme="c01") == []
    assert names("", level="4") == ["个体工商户设立登记"]
    assert names("", fully_online=True) == ["食品经营许可"]
    assert set(names("", online_step="7")) == {"食品经营许可"}
    for bad in ({"theme": "zz"}, {"service_object": "9"}, {"level": "x"}, {"online_step": "0"}):
        assert names("", **bad) == []


def test_filter_query_count(catalogue: dict[str, ServiceItem], django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(3):
        search_items("许可", theme="c02", service_object="2", fully_online=True)


def test_drafts_are_indexed_but_not_public(
    catalogue: dict[str, ServiceItem], market_bureau: Organisation
) -> None:
    ServiceItemFactory(name="食品小作坊登记", implementing_body=market_bureau, status=ItemStatus.DRAFT)
    assert names("小作坊") == []
    assert names("小作坊", published_only=False) == ["食品小作坊登记"]


def test_api_filters(client, catalogue: dict[str, ServiceItem]) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/catalog/items", {"q": "许可", "theme": "c02", "fully_online": "true"}).json()
    assert [item["name"] for item in body["items"]] == ["食品经营许可"]
    themes = client.get("/api/v1/catalog/themes").json()
    assert {"code": "c02", "label": "准营准办"} in themes
