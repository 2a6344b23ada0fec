"""四级四同: the consistency report across the region tree, its query count, and the command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from yiwang.catalog.consistency import consistency_report
from yiwang.catalog.models import BaseItem, ServiceItem
from yiwang.catalog.tests.factories import (
    BaseItemFactory,
    OrganisationFactory,
    RegionFactory,
    ServiceItemFactory,
)
from yiwang.core.models import Organisation, Region


@pytest.fixture
def tree(market_bureau: Organisation) -> dict[str, ServiceItem]:
    wuhu = RegionFactory(code="3402", name="芜湖市")
    base = BaseItemFactory(
        code="117001", name="食品经营许可", legal_basis="《食品安全法》第三十五条", statutory_limit_days=20
    )
    ok = ServiceItemFactory(
        implementing_body=market_bureau,
        base_item=base,
        base_code="117001",
        name=base.name,
        legal_basis=base.legal_basis,
    )
    renamed = ServiceItemFactory(
        implementing_body=OrganisationFactory(region=wuhu),
        base_item=base,
        base_code="117001",
        name="食品经营许可证核发",
        legal_basis=base.legal_basis,
        statutory_limit_days=30,
        committed_limit_days=10,
    )
    retyped = ServiceItemFactory(implementing_body=market_bureau)
    ServiceItem.objects.filter(pk=retyped.pk).update(legal_basis="另一依据", item_type="20")
    orphan = ServiceItemFactory(implementing_body=market_bureau)
    ServiceItem.objects.filter(pk=orphan.pk).update(base_item=None)
    return {"ok": ok, "renamed": renamed, "retyped": retyped, "orphan": orphan}


def test_report_lists_every_violation(tree: dict[str, ServiceItem]) -> None:
    report = consistency_report()
    found = {(v.item_public_id, v.field) for v in report}
    renamed, retyped, orphan = (str(tree[k].public_id) for k in ("renamed", "retyped", "orphan"))
    assert found == {
        (renamed, "name"),
        (renamed, "statutory_limit_days"),
        (retyped, "item_type"),
        (retyped, "legal_basis"),
        (orphan, "base_item"),
    }
    row = next(v for v in report if v.field == "name")
    assert (row.expected, row.actual, row.field_label) == ("食品经营许可", "食品经营许可证核发", "事项名称")
    assert row.as_dict()["region_name"] == "芜湖市"


def test_report_by_region(tree: dict[str, ServiceItem], hefei: Region) -> None:
    hefei_report = consistency_report(hefei)
    assert str(tree["renamed"].public_id) not in {v.item_public_id for v in hefei_report}
    assert {v.field for v in hefei_report} == {"item_type", "legal_basis", "base_item"}
    province = Region.objects.get(code="34")
    assert len(consistency_report(province)) == len(consistency_report())


def test_report_is_one_query(tree: dict[str, ServiceItem], django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        ServiceItemFactory(
            name="不一致",
            base_item=BaseItem.objects.get(code="117001"),
            base_code="117001",
            legal_basis="《食品安全法》第三十五条",
        )
    with django_assert_num_queries(1):
        report = consistency_report()
    assert len(report) == 10


def test_retired_base_item_flags_published_items(tree: dict[str, ServiceItem]) -> None:
    BaseItem.objects.filter(code="117001").update(status="retired")
    fields = {v.field for v in consistency_report() if v.item_public_id == str(tree["ok"].public_id)}
    assert fields == {"base_status"}


def test_command_exit_status(tree: dict[str, ServiceItem]) -> None:
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("catalog_consistency", stdout=out)
    assert exit_info.value.code == 1
    assert "食品经营许可证核发" in out.getvalue() and "不一致" in out.getvalue()
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("catalog_consistency", "--json", stdout=out)
    assert '"field": "name"' in out.getvalue()


def test_command_passes_when_consistent(db: None) -> None:
    ServiceItemFactory()
    out = io.StringIO()
    call_command("catalog_consistency", stdout=out)
    assert "一致" in out.getvalue()
