"""事项导入导出: JSON and Excel in GB/T 39046 field names, round trip, row errors, all or nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.forms import flatten, from_legacy
from yiwang.catalog.io import (
    ITEM_COLUMNS,
    export_json,
    export_queryset,
    export_xlsx,
    import_catalog,
    parse_value,
)
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.scenarios import define_scenarios
from yiwang.catalog.tests.factories import ServiceItemFactory
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(market_bureau: Organisation) -> ServiceItem:
    item = ServiceItemFactory(
        name="食品经营许可",
        implementing_body=market_bureau,
        materials=[{"name": "申请书", "copies": 2}, {"name": "授权委托书", "mandatory": False}],
        keywords="餐饮 开饭店",
        form_fields=[
            {
                "name": "shop_name",
                "label": "店铺名称",
                "type": "text",
                "required": True,
                "choices": [],
                "help_text": "",
            }
        ],
    )
    define_scenarios(
        item,
        actor=None,
        questions=[
            {
                "key": "agent",
                "text": "是否委托？",
                "options": [
                    {"value": "self", "label": "本人"},
                    {"value": "agent", "label": "委托", "adds_materials": ["授权委托书"]},
                ],
            }
        ],
    )
    return item


def test_xlsx_uses_gbt_39046_headers(published: ServiceItem) -> None:
    workbook = load_workbook(io.BytesIO(export_xlsx(export_queryset())))
    assert workbook.sheetnames == ["事项", "申请材料"]
    header = [cell.value for cell in workbook["事项"][1]]
    for name in (
        "事项名称",
        "基本编码",
        "实施编码",
        "事项类型",
        "设定依据",
        "行使层级",
        "实施主体",
        "实施主体编码",
        "法定办结时限",
        "承诺办结时限",
        "受理条件",
        "办理形式",
        "网办深度",
        "服务对象",
        "是否收费",
        "到办事现场次数",
    ):
        assert name in header
    row = dict(zip(header, [cell.value for cell in workbook["事项"][2]], strict=True))
    assert row["事项名称"] == "食品经营许可" and row["事项类型"] == "行政许可" and row["行使层级"] == "市级"
    assert row["实施编码"] == published.implementation_code and row["是否收费"] == "否"
    assert row["办理形式"] == "窗口办理、电脑端网上办理"
    materials = [[c.value for c in r] for r in workbook["申请材料"].iter_rows(min_row=2)]
    assert [m[1] for m in materials] == ["申请书", "授权委托书"]


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_round_trip_updates_a_revision_never_the_published_item(published: ServiceItem, fmt: str) -> None:
    data = export_json(export_queryset()) if fmt == "json" else export_xlsx(export_queryset())
    before = ServiceItem.objects.values().get(pk=published.pk)
    report = import_catalog(data, filename=f"catalog.{fmt}")
    assert (report.created, report.updated, report.revisions) == (0, 0, 1)
    assert ServiceItem.objects.values().get(pk=published.pk) == before
    revision = ServiceItem.objects.get(revision_of=published)
    assert revision.status == ItemStatus.DRAFT
    for field in (
        "name",
        "legal_basis",
        "committed_limit_days",
        "handling_forms",
        "online_depth",
        "keywords",
        "fee_required",
    ):
        assert getattr(revision, field) == getattr(published, field), field
    # form_fields is derived from the e-form definition the imported list converts to
    assert revision.form_fields == flatten(from_legacy(published.form_fields))
    assert [(m.name, m.copies, m.mandatory) for m in revision.materials.all()] == [
        ("申请书", 2, True),
        ("授权委托书", 0, False),
    ]
    assert revision.scenario_questions.get().key == "agent"
    again = export_json(ServiceItem.objects.filter(pk=revision.pk).prefetch_related("materials", "themes"))
    first = json.loads(export_json(export_queryset()))["items"][0]
    second = json.loads(again)["items"][0]
    for key in ("事项状态", "版本号"):
        first.pop(key), second.pop(key)
    assert first == second


def test_new_rows_create_drafts(published: ServiceItem, market_bureau: Organisation) -> None:
    payload = json.loads(export_json(export_queryset()))
    row = payload["items"][0]
    row.update({"事项名称": "食品经营许可（延续）", "基本编码": "000117001099", "实施编码": ""})
    report = import_catalog(json.dumps(payload, ensure_ascii=False).encode(), filename="x.json")
    assert report.created == 1
    created = ServiceItem.objects.get(name="食品经营许可（延续）")
    assert created.status == ItemStatus.DRAFT and created.materials.count() == 2


def test_errors_by_row_and_field_import_nothing(published: ServiceItem) -> None:
    workbook = load_workbook(io.BytesIO(export_xlsx(export_queryset())))
    sheet = workbook["事项"]
    header = [cell.value for cell in sheet[1]]
    values = [cell.value for cell in sheet[2]]
    good = list(values)
    good[header.index("事项名称")] = "全新事项"
    good[header.index("基本编码")] = "000117001098"
    good[header.index("实施编码")] = ""
    sheet.append(good)  # row 3: fine on its own
    for _ in range(2):
        sheet.append(list(values))
    bad = list(values)
    bad[header.index("基本编码")] = "000117001097"
    bad[header.index("实施编码")] = ""
    bad[header.index("承诺办结时限")] = 99
    bad[header.index("事项类型")] = "行政魔法"
    bad[header.index("是否收费")] = "也许"
    sheet.append(bad)  # row 6
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(DomainError) as exc:
        import_catalog(buffer.getvalue(), filename="bad.xlsx")
    assert exc.value.code == CatalogErrorCode.IMPORT_INVALID
    rows = exc.value.fields["rows"]
    assert "第 6 行 承诺办结时限：不能大于法定办结时限" in rows
    assert "第 6 行 事项类型：“行政魔法”不在代码表内" in rows
    assert "第 6 行 是否收费：应为“是”或“否”" in rows
    assert any(r.startswith("第 5 行 实施编码：与第") for r in rows)
    assert not ServiceItem.objects.filter(name="全新事项").exists()
    assert not ServiceItem.objects.filter(revision_of=published).exists()


def test_service_errors_roll_back_earlier_rows(published: ServiceItem, market_bureau: Organisation) -> None:
    payload = json.loads(export_json(export_queryset()))
    first = dict(payload["items"][0], 事项名称="新事项甲", 基本编码="000117001096", 实施编码="")
    second = dict(
        payload["items"][0],
        事项名称="新事项乙",
        基本编码="000117001095",
        实施编码="",
        实施主体编码="91350100M000100Y43",
    )
    body = json.dumps({"items": [first, second]}, ensure_ascii=False).encode()
    with pytest.raises(DomainError) as exc:
        import_catalog(body, filename="x.json")
    assert exc.value.fields["rows"] == [
        "第 2 行 实施主体编码：找不到统一社会信用代码为 91350100M000100Y43 的机构"
    ]
    assert not ServiceItem.objects.filter(name="新事项甲").exists()


def test_unreadable_files() -> None:
    for data, name in (
        (b"{not json", "x.json"),
        (b"PK\x03\x04garbage", "x.xlsx"),
        (b'{"items": 3}', "x.json"),
    ):
        with pytest.raises(DomainError) as exc:
            import_catalog(data, filename=name)
        assert exc.value.code == CatalogErrorCode.IMPORT_UNREADABLE


COLUMN = {column.header: column for column in ITEM_COLUMNS}


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=True), st.booleans(), st.none()))
def test_cell_parsers_never_crash(value: object) -> None:
    for header in (
        "法定办结时限",
        "是否收费",
        "事项类型",
        "办理形式",
        "服务对象",
        "申请表字段",
        "主题分类",
        "事项名称",
    ):
        try:
            parse_value(COLUMN[header], value)
        except ValueError as exc:
            assert str(exc)


def test_commands(published: ServiceItem, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "catalog.xlsx"
    call_command("catalog_export", "--format", "xlsx", "-o", str(target), stdout=io.StringIO())
    out = io.StringIO()
    call_command("catalog_import", str(target), stdout=out)
    assert "更新修订稿 1" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"items": [{"事项名称": ""}]}, ensure_ascii=False), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("catalog_import", str(bad), stdout=io.StringIO(), stderr=err)
    assert "第 1 行 事项名称：不能为空" in err.getvalue()
    call_command("catalog_reindex", stdout=io.StringIO())
