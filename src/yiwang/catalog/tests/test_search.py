"""事项检索: jieba tokens, full pinyin, initials, filler words, ranking and filters."""

from __future__ import annotations

import pytest

from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.search import (
    build_search_fields,
    pinyin_initials,
    pinyin_syllables,
    query_tokens,
    search_items,
)
from yiwang.catalog.tests.factories import ServiceItemFactory
from yiwang.core.models import Organisation


@pytest.fixture
def catalogue(market_bureau: Organisation, police_bureau: Organisation) -> dict[str, ServiceItem]:
    items = {
        "getihu": ServiceItemFactory(
            name="个体工商户设立登记",
            implementing_body=market_bureau,
            result_name="营业执照",
            materials=["经营者身份证明", "经营场所使用证明"],
            application_count=5,
        ),
        "getihu_change": ServiceItemFactory(
            name="个体工商户变更登记", implementing_body=market_bureau, result_name="营业执照"
        ),
        "licence": ServiceItemFactory(
            name="营业执照补领、换发",
            implementing_body=market_bureau,
            result_name="营业执照",
            materials=["营业执照遗失声明", "法定代表人签署的申请书"],
        ),
        "company": ServiceItemFactory(
            name="企业设立登记", implementing_body=market_bureau, result_name="营业执照"
        ),
        "id_card": ServiceItemFactory(
            name="居民身份证换领",
            implementing_body=police_bureau,
            result_name="居民身份证",
            application_count=9,
        ),
        "temp_id": ServiceItemFactory(
            name="临时居民身份证办理", implementing_body=police_bureau, result_name="临时居民身份证"
        ),
        "dibao": ServiceItemFactory(name="最低生活保障申请", implementing_body=police_bureau),
        "draft": ServiceItemFactory(
            name="营业执照测试草稿", implementing_body=market_bureau, status=ItemStatus.DRAFT, version=0
        ),
    }
    return items


def names(query: str, **kwargs: object) -> list[str]:
    items, _ = search_items(query, **kwargs)  # type: ignore[arg-type]
    return [item.name for item in items]


def test_pinyin_helpers() -> None:
    assert pinyin_syllables("个体工商户") == ["ge", "ti", "gong", "shang", "hu"]
    assert pinyin_initials("个体工商户") == "gtgsh"
    assert pinyin_initials("内资公司变更登记（A股）") == "nzgsbgdjag"


def test_search_text_has_tokens_pinyin_and_initials(catalogue: dict[str, ServiceItem]) -> None:
    item = catalogue["getihu"]
    text, full, initials = build_search_fields(item)
    assert full == "getigongshanghushelidengji"
    assert initials == "gtgshsldj"
    words = text.split(" ")
    for expected in (
        "个体工商户设立登记",
        "设立登记",
        "合肥市市场监督管理局",
        "营业执照",
        "经营场所使用证明",
        "getigongshanghushelidengji",
        "gtgshsldj",
        "ge",
        "shang",
        "个体户",
    ):
        assert expected in words
    item.refresh_from_db()
    assert item.search_text == text and item.name_pinyin == full and item.name_initials == initials


def test_chinese_keyword_finds_business_licence(catalogue: dict[str, ServiceItem]) -> None:
    found = names("营业执照")
    assert found[0] == "营业执照补领、换发"  # the name contains the query: ranked first
    assert {"个体工商户设立登记", "企业设立登记"} <= set(found)  # result is 营业执照
    assert "营业执照测试草稿" not in found  # drafts are not public


def test_id_card(catalogue: dict[str, ServiceItem]) -> None:
    assert names("身份证")[:2] == ["居民身份证换领", "临时居民身份证办理"]  # then by popularity


def test_initials_find_individual_business(catalogue: dict[str, ServiceItem]) -> None:
    assert set(names("gtgsh")) == {"个体工商户设立登记", "个体工商户变更登记"}
    assert set(names("GTGSH ")) == {"个体工商户设立登记", "个体工商户变更登记"}


def test_full_pinyin(catalogue: dict[str, ServiceItem]) -> None:
    assert names("yingyezhizhao")[0] == "营业执照补领、换发"
    assert names("getigongshanghushelidengji") == ["个体工商户设立登记"]
    assert set(names("ge ti gong shang hu")) == {"个体工商户设立登记", "个体工商户变更登记"}


def test_chinese_sentence(catalogue: dict[str, ServiceItem]) -> None:
    assert query_tokens("我想办理营业执照") == ["营业", "执照", "营业执照"]
    found = names("我想办理营业执照")
    assert found[0] == "营业执照补领、换发"
    assert "个体工商户设立登记" in found
    assert "居民身份证换领" not in found


def test_alias_and_every_token_required(catalogue: dict[str, ServiceItem]) -> None:
    assert names("低保") == ["最低生活保障申请"]
    assert names("个体户 变更") == ["个体工商户变更登记"]
    assert names("低保 营业执照") == []
    assert names("完全不存在的事项") == []


def test_exact_name_ranks_first(catalogue: dict[str, ServiceItem]) -> None:
    assert names("个体工商户设立登记")[0] == "个体工商户设立登记"
    assert names("个体工商户")[0] == "个体工商户设立登记"  # both contain it: popularity decides


def test_empty_query_lists_published_by_popularity(catalogue: dict[str, ServiceItem]) -> None:
    items, count = search_items("")
    assert count == 7
    assert [item.name for item in items[:2]] == ["居民身份证换领", "个体工商户设立登记"]


def test_department_filter_and_pagination(
    catalogue: dict[str, ServiceItem], police_bureau: Organisation
) -> None:
    assert set(names("", department=police_bureau)) == {
        "居民身份证换领",
        "临时居民身份证办理",
        "最低生活保障申请",
    }
    assert set(names("", department=str(police_bureau.public_id))) == set(names("", department=police_bureau))
    assert names("", department="not-a-uuid") == []
    page, count = search_items("", limit=2, offset=2)
    assert count == 7 and len(page) == 2
    everything, _ = search_items("", limit=1000)
    assert len(everything) == 7
    assert search_items("", limit=0)[0]  # at least one row


def test_include_drafts_for_staff(catalogue: dict[str, ServiceItem]) -> None:
    assert "营业执照测试草稿" in names("营业执照", published_only=False)


def test_search_is_three_queries(catalogue: dict[str, ServiceItem], django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(3):  # synonyms, count, page
        items, _ = search_items("营业执照")
        assert all(item.implementing_body.name for item in items)


def test_punctuation_only_query_matches_nothing(catalogue: dict[str, ServiceItem]) -> None:
    assert names("？？！") == []
    assert names("   ") == names("")


def test_jieba_loads_once() -> None:
    from yiwang.catalog import search

    assert search._jieba() is search._jieba()
