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


def geography_rows() -> Rows:
    """行政区划: code, name and centroid of every region the geography base holds."""
    columns = ["code", "name", "centroid_lat", "centroid_lng", "synthetic"]
    rows = list(RegionGeometry.objects.order_by("code").values(*columns)[:MAX_ROWS])
    return columns, rows


def legal_person_stats_rows() -> Rows:
    """法人统计: companies counted by region, industry and registration status (no single company)."""
    columns = ["region", "industry", "status", "company_count", "registered_capital_fen"]
    grouped = (
        Company.objects.values("region", "industry", "status")
        .annotate(company_count=Count("pk"), registered_capital_fen=Sum("registered_capital_fen"))
        .order_by("region", "industry", "status")[:MAX_ROWS]
    )
    return columns, [dict(row) for row in grouped]


def catalogue_rows() -> Rows:
    """资源目录: the published resources of the sharing catalogue (what exists, not its data)."""
    columns = ["code", "name", "provider", "share_type", "open_type", "update_cycle", "published_at"]
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
    """The columns a source can give (for the publishing form: which fields the resource needs)."""
    return {
        DatasetSource.GEOGRAPHY: ["code", "name", "centroid_lat", "centroid_lng", "synthetic"],
        DatasetSource.LEGAL_PERSON_STATS: [
            "region",
            "industry",
            "status",
            "company_count",
            "registered_capital_fen",
        ],
        DatasetSource.CATALOGUE: [
            "code",
            "name",
            "provider",
            "share_type",
            "open_type",
            "update_cycle",
            "published_at",
        ],
    }[DatasetSource(source)]
