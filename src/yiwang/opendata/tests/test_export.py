"""Personal data never leaves: for every source and every format, only the open fields of the
resource's published definition are written; a cell that is an ID number stops the export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from yiwang.core.errors import DomainError
from yiwang.opendata import export
from yiwang.opendata.models import DatasetSource, Distribution, DistributionFormat
from yiwang.opendata.tests.factories import (
    FIELDS,
    OPEN_COLUMNS,
    PERSONAL_COLUMNS,
    base_data,
    open_resource,
    publish,
    published_resource,
)

pytestmark = pytest.mark.django_db


def _columns(distribution: Distribution) -> tuple[list[str], list[list[object]]]:
    content = distribution.file.open("rb").read()
    if distribution.format == DistributionFormat.CSV:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        return rows[0], rows[1:]
    if distribution.format == DistributionFormat.JSON:
        payload = json.loads(content)
        names = [c["name"] for c in payload["columns"]]
        assert all(set(row) == set(names) for row in payload["rows"])
        return names, [list(row.values()) for row in payload["rows"]]
    sheet = load_workbook(io.BytesIO(content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [str(v) for v in values[1]], values[2:]


@pytest.mark.parametrize("source", list(DatasetSource.values))
def test_no_personal_or_sensitive_field_leaves_in_any_format(
    world, source, django_capture_on_commit_callbacks
):
    base_data()
    resource = open_resource(world.market_official, world.reviewer, source)
    with django_capture_on_commit_callbacks(execute=True):
        dataset = publish(world.market_official, resource, source, title=f"数据集 {source}")
    distributions = list(dataset.distributions.order_by("format"))
    assert {d.format for d in distributions} == set(DistributionFormat.values)
    for distribution in distributions:
        assert distribution.generated_at is not None, distribution.format
        names, rows = _columns(distribution)
        assert names == OPEN_COLUMNS[source], distribution.format
        assert rows, distribution.format
        raw = distribution.file.open("rb").read()
        for hidden in PERSONAL_COLUMNS[source]:
            assert hidden.encode() not in raw, (distribution.format, hidden)
            label = next(f["label"] for f in FIELDS[source] if f["name"] == hidden)
            assert label.encode() not in raw, (distribution.format, label)
        assert distribution.columns == OPEN_COLUMNS[source]
        assert len(distribution.sha256) == 64 and distribution.byte_size == len(raw)


def test_legal_person_statistics_are_aggregates_without_representatives(
    world, django_capture_on_commit_callbacks
):
    base_data()
    source = DatasetSource.LEGAL_PERSON_STATS
    resource = open_resource(world.market_official, world.reviewer, source)
    with django_capture_on_commit_callbacks(execute=True):
        dataset = publish(world.market_official, resource, source, title="法人统计", theme="economy")
    payload = json.loads(dataset.distributions.get(format="json").file.open("rb").read())
    assert payload["rows"] == [
        {"region": "340103", "industry": "7010", "status": "cancelled", "company_count": 1},
        {"region": "340104", "industry": "5212", "status": "existing", "company_count": 3},
    ]
    raw = json.dumps(payload, ensure_ascii=False)
    assert "张伟" not in raw and "合肥测试科技" not in raw


def test_spatial_columns_are_written_as_geojson_text_or_objects(world, django_capture_on_commit_callbacks):
    base_data()
    fields = [
        {"name": name, "label": name, "sensitivity": "public"}
        for name in ("region_code", "name", "centroid", "boundary")
    ]
    resource = published_resource(
        world.market_official, world.reviewer, name="空间地理基础信息", fields=fields, open_type="open"
    )
    with django_capture_on_commit_callbacks(execute=True):
        dataset = publish(world.market_official, resource, DatasetSource.GEOGRAPHY)
    payload = json.loads(dataset.distributions.get(format="json").file.open("rb").read())
    first = payload["rows"][0]
    assert set(first) == {"region_code", "name", "centroid", "boundary"}
    assert first["boundary"]["type"] == "Polygon" and set(first["centroid"]) == {"lat", "lng"}
    names, rows = _columns(dataset.distributions.get(format="csv"))
    assert names == ["region_code", "name", "centroid", "boundary"]
    assert json.loads(str(rows[0][3]))["type"] == "Polygon"


def test_a_count_is_open_unless_the_resource_says_otherwise():
    rows = [{"region": "340104", "company_count": 3}]
    fields = [{"name": "region", "label": "区划", "sensitivity": "public"}]
    counts = {"company_count": "数量"}
    assert export.open_table(fields, ["region", "company_count"], rows, counts).columns == [
        "region",
        "company_count",
    ]
    closed = [*fields, {"name": "company_count", "label": "数量", "sensitivity": "sensitive"}]
    assert export.open_table(closed, ["region", "company_count"], rows, counts).columns == ["region"]


def test_a_column_the_resource_does_not_declare_is_dropped():
    fields = [{"name": "code", "label": "代码", "sensitivity": "public"}]
    table = export.open_table(fields, ["code", "secret"], [{"code": "1", "secret": "x"}])
    assert table.columns == ["code"] and table.rows == [["1"]]


def test_an_id_number_in_the_data_stops_the_export():
    fields = [{"name": "note", "label": "备注", "sensitivity": "public"}]
    with pytest.raises(DomainError) as refused:
        export.open_table(fields, ["note"], [{"note": "11010519491231002X"}])
    assert refused.value.code == "opendata_personal_data"


def test_a_resource_with_only_personal_fields_opens_nothing():
    fields = [{"name": "name", "label": "姓名", "sensitivity": "public", "is_personal": True}]
    with pytest.raises(DomainError) as refused:
        export.open_table(fields, ["name"], [{"name": "张三"}])
    assert refused.value.code == "opendata_nothing_open"


def test_cells_never_become_formulas():
    fields = [{"name": "v", "label": "值", "sensitivity": "public"}]
    table = export.open_table(fields, ["v"], [{"v": "=cmd()"}])
    for fmt in ("csv", "xlsx"):
        assert b"'=cmd()" in export.render(table, fmt) or fmt == "xlsx"
    sheet = load_workbook(io.BytesIO(export.render(table, "xlsx"))).active
    assert sheet.cell(row=3, column=1).value == "'=cmd()"
