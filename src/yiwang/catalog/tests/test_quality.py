"""数据质量检查 and 事项统计: what each check finds, and the statistics by department, type and depth."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.quality import catalogue_statistics, depth_class, quality_issues
from yiwang.catalog.tests.factories import ServiceItemFactory
from yiwang.core.models import Organisation

COMPLETE = {
    "place": "合肥市政务服务中心",
    "consult_phone": "0551-63530000",
    "result_name": "许可证",
    "legal_basis_url": "https://flk.npc.gov.cn/",
}


def kinds(item: ServiceItem) -> set[tuple[str, str]]:
    return {(i.kind, i.field) for i in quality_issues() if i.item_public_id == str(item.public_id)}


def test_a_complete_item_has_no_issue(market_bureau: Organisation) -> None:
    item = ServiceItemFactory(implementing_body=market_bureau, **COMPLETE)
    assert kinds(item) == set()


def test_checks(market_bureau: Organisation) -> None:
    missing = ServiceItemFactory(
        implementing_body=market_bureau, **{**COMPLETE, "place": "", "result_name": ""}, handling_forms=[]
    )
    assert kinds(missing) == {("missing", "place"), ("missing", "result_name"), ("missing", "handling_forms")}
    bad_link = ServiceItemFactory(
        implementing_body=market_bureau, **{**COMPLETE, "legal_basis_url": "flk.npc"}
    )
    assert kinds(bad_link) == {("legal_basis_link", "legal_basis_url")}
    no_link = ServiceItemFactory(implementing_body=market_bureau, **{**COMPLETE, "legal_basis_url": ""})
    assert kinds(no_link) == {("legal_basis_link", "legal_basis_url")}
    service = ServiceItemFactory(
        implementing_body=market_bureau, item_type="20", **{**COMPLETE, "legal_basis_url": ""}
    )
    assert kinds(service) == set()  # public services need no legal-basis link
    bad_code = ServiceItemFactory(implementing_body=market_bureau, **COMPLETE)
    ServiceItem.objects.filter(pk=bad_code.pk).update(implementation_code="X" * 31)
    assert kinds(bad_code) == {("invalid_code", "implementation_code")}
    stale = ServiceItemFactory(
        implementing_body=market_bureau, **COMPLETE, published_at=timezone.now() - timedelta(days=400)
    )
    assert kinds(stale) == {("stale", "reviewed_at")}
    ServiceItem.objects.filter(pk=stale.pk).update(reviewed_at=timezone.now() - timedelta(days=30))
    assert kinds(stale) == set()


def test_quality_is_one_query(market_bureau: Organisation, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        ServiceItemFactory(implementing_body=market_bureau, place="")
    with django_assert_num_queries(1):
        assert len(quality_issues()) >= 4


@pytest.mark.parametrize(
    ("depth", "expected"),
    [(["1", "2", "3", "4", "5", "6", "7"], "full"), (["1", "2"], "partial"), (["1"], "none"), ([], "none")],
)
def test_depth_class(depth: list[str], expected: str) -> None:
    assert depth_class(depth) == expected


def test_statistics(
    market_bureau: Organisation, police_bureau: Organisation, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    ServiceItemFactory(implementing_body=market_bureau, online_depth=["1", "2", "3", "4", "5", "6", "7"])
    ServiceItemFactory(implementing_body=market_bureau, item_type="20", online_depth=["1"])
    ServiceItemFactory(implementing_body=police_bureau)
    ServiceItemFactory(implementing_body=police_bureau, status=ItemStatus.DRAFT)
    with django_assert_num_queries(1):
        stats = catalogue_statistics()
    assert stats["total"] == 3
    assert stats["by_department"][0] == {"label": "合肥市市场监督管理局", "count": 2}
    assert {r["code"]: r["count"] for r in stats["by_type"]} == {"01": 2, "20": 1}
    assert {r["code"]: r["count"] for r in stats["by_depth"]} == {"full": 1, "partial": 1, "none": 1}
