"""Factories of opendata's tests: open resources of the sharing catalogue, with personal fields
declared beside open ones, and datasets published from them with their files generated."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import User
from yiwang.bases.tests import factories as bases
from yiwang.opendata import services
from yiwang.opendata.models import Dataset, DatasetSource
from yiwang.sharing.models import OpenType, Resource
from yiwang.sharing.tests.factories import published_resource

#: Every source's columns declared, one personal and one sensitive field among them (never exported).
FIELDS: dict[str, list[dict[str, Any]]] = {
    DatasetSource.GEOGRAPHY: [
        {"name": "code", "label": "区划代码", "sensitivity": "public"},
        {"name": "name", "label": "名称", "sensitivity": "public"},
        {"name": "centroid_lat", "label": "纬度", "sensitivity": "sensitive"},
        {"name": "centroid_lng", "label": "经度", "sensitivity": "internal", "is_personal": True},
        {"name": "synthetic", "label": "合成", "sensitivity": "internal"},
    ],
    DatasetSource.LEGAL_PERSON_STATS: [
        {"name": "region", "label": "区划", "sensitivity": "public"},
        {"name": "industry", "label": "行业", "sensitivity": "public"},
        {"name": "status", "label": "登记状态", "sensitivity": "public"},
        {"name": "company_count", "label": "企业数", "sensitivity": "public"},
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
    DatasetSource.GEOGRAPHY: ["code", "name", "synthetic"],
    DatasetSource.LEGAL_PERSON_STATS: ["region", "industry", "status", "company_count"],
    DatasetSource.CATALOGUE: ["code", "name", "share_type", "open_type"],
}
PERSONAL_COLUMNS = {
    DatasetSource.GEOGRAPHY: ["centroid_lat", "centroid_lng"],
    DatasetSource.LEGAL_PERSON_STATS: ["registered_capital_fen"],
    DatasetSource.CATALOGUE: ["provider"],
}


def open_resource(official: User, reviewer: User, source: str, open_type: str = OpenType.OPEN) -> Resource:
    return published_resource(
        official,
        reviewer,
        name=f"开放-{source}",
        share_type="unconditional",
        subject_kind="none",
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
    return services.publish_dataset(actor=official, resource=resource, source=source, **{**defaults, **values})
