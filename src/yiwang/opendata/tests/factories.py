"""Factories of opendata's tests: open resources of the sharing catalogue, with personal fields
declared beside open ones, and datasets published from them with their files generated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yiwang.accounts.models import User
from yiwang.core.models import Organisation
from yiwang.opendata import services
from yiwang.opendata.models import Dataset, DatasetSource
from yiwang.sharing import services as sharing
from yiwang.sharing.models import OpenType, Resource
from yiwang.testing import bases
from yiwang.testing.catalog import OrganisationFactory
from yiwang.testing.clients import make_region_staff
from yiwang.testing.people import make_staff

#: Every source's columns declared, one personal and one sensitive field among them (never exported).
FIELDS: dict[str, list[dict[str, Any]]] = {
    DatasetSource.GEOGRAPHY: [
        {"name": "region_code", "label": "区划代码", "sensitivity": "public"},
        {"name": "name", "label": "名称", "sensitivity": "public"},
        {"name": "centroid_lat", "label": "纬度", "sensitivity": "sensitive"},
        {"name": "centroid_lng", "label": "经度", "sensitivity": "internal", "is_personal": True},
        {"name": "boundary", "label": "边界", "sensitivity": "personal"},
        {"name": "synthetic", "label": "合成", "sensitivity": "internal"},
    ],
    DatasetSource.LEGAL_PERSON_STATS: [
        {"name": "region", "label": "区划", "sensitivity": "public"},
        {"name": "industry", "label": "行业", "sensitivity": "public"},
        {"name": "status", "label": "登记状态", "sensitivity": "public"},
        {"name": "registered_capital_fen", "label": "注册资本（分）", "sensitivity": "personal"},
    ],
    DatasetSource.CATALOGUE: [
        {"name": "code", "label": "资源代码", "sensitivity": "public"},
        {"name": "name", "label": "资源名称", "sensitivity": "public"},
        {"name": "provider", "label": "提供部门", "sensitivity": "personal", "is_personal": True},
        {"name": "share_type", "label": "共享类型", "sensitivity": "public"},
        {"name": "open_type", "label": "开放类型", "sensitivity": "public"},
    ],
}
#: What may appear in the files of each source.
OPEN_COLUMNS = {
    DatasetSource.GEOGRAPHY: ["region_code", "name", "synthetic"],
    DatasetSource.LEGAL_PERSON_STATS: ["region", "industry", "status", "company_count"],
    DatasetSource.CATALOGUE: ["code", "name", "share_type", "open_type"],
}
PERSONAL_COLUMNS = {
    DatasetSource.GEOGRAPHY: ["centroid_lat", "centroid_lng", "boundary"],
    DatasetSource.LEGAL_PERSON_STATS: ["registered_capital_fen"],
    DatasetSource.CATALOGUE: ["provider"],
}


@dataclass
class OpenWorld:
    market: Organisation
    police: Organisation
    reviewer: User  # 数据资源管理局 data official, region scope: reviews the catalogue
    market_official: User
    police_official: User
    market_clerk: User  # staff, not a data official


def make_world() -> OpenWorld:
    data_bureau = OrganisationFactory(name="合肥市数据资源管理局")
    market = OrganisationFactory(name="合肥市市场监督管理局")
    police = OrganisationFactory(name="合肥市公安局")
    return OpenWorld(
        market=market,
        police=police,
        reviewer=make_region_staff(data_bureau, "od_reviewer", ("data_official",)),
        market_official=make_staff(market, "od_market", ("data_official",)),
        police_official=make_staff(police, "od_police", ("data_official",)),
        market_clerk=make_staff(market, "od_clerk", ("window_clerk",)),
    )


def published_resource(
    official: User, reviewer: User, *, name: str, fields: list[dict[str, Any]], **definition: Any
) -> Resource:
    resource = sharing.create_resource(
        actor=official,
        provider=official.staff_profile.organisation,
        definition={"name": name, "subject_kind": "none", **definition},
        fields=fields,
    )
    sharing.submit_resource(resource, actor=official)
    return sharing.review_resource(resource, actor=reviewer, approve=True)


def open_resource(official: User, reviewer: User, source: str, open_type: str = OpenType.OPEN) -> Resource:
    return published_resource(
        official,
        reviewer,
        name=f"开放-{source}",
        share_type="unconditional",
        open_type=open_type,
        fields=FIELDS[source],
    )


def base_data() -> None:
    bases.geometry("340104", "蜀山区")
    bases.geometry("340103", "庐阳区")
    representative = bases.person()
    for _ in range(3):
        bases.company(representative, region="340104", industry="5212", registered_capital_fen=100_000)
    bases.company(representative, region="340103", industry="7010", status="cancelled")


def publish(official: User, resource: Resource, source: str, **values: Any) -> Dataset:
    defaults: dict[str, Any] = {
        "title": "合肥市行政区划",
        "description": "合肥市各区县的区划代码与名称",
        "keywords": ["行政区划", "地理"],
        "theme": "geography",
    }
    return services.publish_dataset(
        actor=official, resource=resource, source=source, **{**defaults, **values}
    )
