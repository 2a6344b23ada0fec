"""Search: Chinese words, pinyin, initials, catalogue synonyms and entry synonyms; the guide sync is
idempotent; only published entries are found; hot topics per period."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from yiwang.catalog.models import ItemStatus
from yiwang.knowledge import search
from yiwang.knowledge.models import EntryKind, EntryStatus, KnowledgeEntry
from yiwang.knowledge.services import hot_topics, install_defaults, record_search, record_view, sync_guides
from yiwang.testing.knowledge import NOW, World


def titles(query: str) -> list[str]:
    return [hit.entry.title for hit in search.search(query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("忘记密码", "忘记密码怎么办"),
        ("密码", "忘记密码怎么办"),
        ("wangjimima", "忘记密码怎么办"),
        ("wjmm", "忘记密码怎么办"),
        ("找回密码", "忘记密码怎么办"),  # the entry's own synonyms
        ("个体户", "如何办理个体工商户设立登记"),  # catalogue synonym group 个体户 → 个体工商户
        ("getigongshanghu", "如何办理个体工商户设立登记"),
        ("邮寄", "如何申请邮寄办理结果"),
        ("电子证照", "电子证照如何使用"),
    ],
)
def test_finds(world: World, query: str, expected: str) -> None:
    assert expected in titles(query)[:3]


def test_ranked_title_first(world: World) -> None:
    hits = search.search("如何缴费")
    assert hits[0].entry.title == "如何缴费"
    assert hits[0].tier == 0


def test_nothing_for_punctuation_or_unknown(world: World) -> None:
    assert search.search("？？") == []
    assert search.search("") == []
    assert search.search("量子力学黑洞") == []


def test_sync_idempotent_and_withdraws(world: World) -> None:
    guides = KnowledgeEntry.objects.filter(kind=EntryKind.GUIDE)
    assert guides.count() == 2
    again = sync_guides()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert install_defaults() == 0
    world.other_item.status = ItemStatus.WITHDRAWN
    world.other_item.save(update_fields=["status"])
    report = sync_guides()
    assert report.withdrawn == 1
    assert "如何办理食品经营许可证核发" not in titles("食品经营")
    world.item.place = "合肥市政务服务中心三楼"
    world.item.save(update_fields=["place"])
    assert sync_guides().updated == 1
    entry = guides.get(source_key=f"item:{world.item.public_id}")
    assert "三楼" in entry.answer and entry.version == 2 and entry.status == EntryStatus.PUBLISHED


def test_guide_entry_content(world: World) -> None:
    entry = KnowledgeEntry.objects.get(source_key=f"item:{world.item.public_id}")
    assert "所需材料" in entry.answer and "办理时限" in entry.answer and "办理地点" in entry.answer


def test_search_queries_bounded(world: World, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(3):
        search.search("个体户")


def test_hot_topics_by_period(world: World) -> None:
    entry = KnowledgeEntry.objects.get(source_key="faq:pay")
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        for _ in range(5):
            record_search("公积金")
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        for _ in range(3):
            record_search("社保卡")
    for _ in range(2):
        record_search("忘记密码")
    record_view(entry)
    assert [t["label"] for t in hot_topics("day")] == ["忘记密码"]
    assert [t["label"] for t in hot_topics("week")] == ["社保卡", "忘记密码"]
    assert [(t["label"], t["count"]) for t in hot_topics("month")] == [
        ("公积金", 5),
        ("社保卡", 3),
        ("忘记密码", 2),
    ]
    assert hot_topics("week", kind="entry")[0]["key"] == str(entry.public_id)
    entry.refresh_from_db()
    assert entry.hits == 1
