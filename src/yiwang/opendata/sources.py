"""The rows behind each dataset source: read-only, aggregate or public data only.

Every source answers ``(columns, rows)``: the column names it *can* give, and the rows as dicts.
What is actually written to a file is decided by :mod:`yiwang.opendata.export` against the
resource's published fields (personal and sensitive fields never leave)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count, Sum

from yiwang.bases.models import Company, RegionGeometry
from yiwang.opendata.models import DatasetSource
from yiwang.sharing.models import Resource, ResourceStatus

#: At most this many rows go into one distribution (a dataset is not a database dump).
MAX_ROWS = 200_000

Rows = tuple[list[str], list[dict[str, Any]]]


GEOGRAPHY_COLUMNS = [
    "code",
    "region_code",
    "name",
    "centroid_lat",
    "centroid_lng",
    "centroid",
    "boundary",
    "synthetic",
]
LEGAL_PERSON_STATS_COLUMNS = ["region", "industry", "status", "company_count", "registered_capital_fen"]
CATALOGUE_COLUMNS = ["code", "name", "provider", "share_type", "open_type", "update_cycle", "published_at"]
#: Pure counts of an aggregate: they carry no value of any record, so no field of the resource
#: needs to declare them (every other column does).
COUNT_COLUMNS = {"company_count": "市场主体数量"}


def geography_rows() -> Rows:
    """行政区划: code, name, centroid and boundary (GeoJSON) of every region of the geography base,
    under the names of the base's fields (``code``, ``centroid``, ``boundary``) and the usual
    alternatives (``region_code``, ``centroid_lat``/``centroid_lng``)."""
    regions = RegionGeometry.objects.order_by("code").only(
        "code", "name", "centroid_lat", "centroid_lng", "boundary", "synthetic"
    )[:MAX_ROWS]
    rows = [
        {
            "code": r.code,
            "region_code": r.code,
            "name": r.name,
            "centroid_lat": r.centroid_lat,
            "centroid_lng": r.centroid_lng,
            "centroid": {"lat": r.centroid_lat, "lng": r.centroid_lng},
            "boundary": r.boundary,
            "synthetic": r.synthetic,
        }
        for r in regions
    ]
    return GEOGRAPHY_COLUMNS, rows


def legal_person_stats_rows() -> Rows:
    """法人统计: companies counted by region, industry and registration status (no single company)."""
    columns = LEGAL_PERSON_STATS_COLUMNS
    grouped = (
        Company.objects.values("region", "industry", "status")
        .annotate(company_count=Count("pk"), registered_capital_fen=Sum("registered_capital_fen"))
        .order_by("region", "industry", "status")[:MAX_ROWS]
    )
    return columns, [dict(row) for row in grouped]


def catalogue_rows() -> Rows:
    """资源目录: the published resources of the sharing catalogue (what exists, not its data)."""
    columns = CATALOGUE_COLUMNS
    resources = (
        Resource.objects.filter(status=ResourceStatus.PUBLISHED)
        .select_related("provider")
        .order_by("code")[:MAX_ROWS]
    )
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "provider": r.provider.name,
            "share_type": r.share_type,
            "open_type": r.open_type,
            "update_cycle": r.update_cycle,
            "published_at": r.published_at.isoformat() if r.published_at else "",
        }
        for r in resources
    ]
    return columns, rows


SOURCES: dict[str, Callable[[], Rows]] = {
    DatasetSource.GEOGRAPHY: geography_rows,
    DatasetSource.LEGAL_PERSON_STATS: legal_person_stats_rows,
    DatasetSource.CATALOGUE: catalogue_rows,
}


def source_columns(source: str) -> list[str]:
    """The columns a source can give (what the resource's fields should be named)."""
    return {
        DatasetSource.GEOGRAPHY: GEOGRAPHY_COLUMNS,
        DatasetSource.LEGAL_PERSON_STATS: LEGAL_PERSON_STATS_COLUMNS,
        DatasetSource.CATALOGUE: CATALOGUE_COLUMNS,
    }[DatasetSource(source)]
