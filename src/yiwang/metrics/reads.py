"""Reads of the aggregates: sums over a period and scope, grouped by a level (no case scans).

``scope``: organisation ids (a subquery or list) the reader may see, ``None`` for everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.models import Organisation, Region
from yiwang.metrics.models import COUNTERS, CaseAggregate
from yiwang.metrics.sources import Period

LEVEL_FIELDS = {
    "department": "organisation_id",
    "region": "region_id",
    "item": "item_id",
    "channel": "channel",
}


@dataclass(frozen=True)
class Filters:
    """Narrowing within the scope: one department, a region subtree (code prefix), one item."""

    organisation_id: int | None = None
    region_prefix: str = ""
    item_id: int | None = None


def region_prefix(code: str) -> str:
    """GB/T 2260 code → the prefix of every full code inside it (trailing zero pairs dropped)."""
    full = code.ljust(12, "0")[:12]
    prefix = full.rstrip("0")
    return prefix + "0" * (len(prefix) % 2) if prefix else full


def rows(period: Period, scope: Any = None, filters: Filters | None = None) -> QuerySet[CaseAggregate]:
    qs = CaseAggregate.objects.filter(day__gte=period.start, day__lte=period.end)
    return _narrow(qs, scope, filters)


def _narrow(qs: QuerySet[CaseAggregate], scope: Any, filters: Filters | None) -> QuerySet[CaseAggregate]:
    if scope is not None:
        qs = qs.filter(organisation_id__in=scope)
    if filters is not None:
        if filters.organisation_id is not None:
            qs = qs.filter(organisation_id=filters.organisation_id)
        if filters.item_id is not None:
            qs = qs.filter(item_id=filters.item_id)
        if filters.region_prefix:
            qs = qs.filter(region__full_code__startswith=filters.region_prefix)
    return qs


def _sums(today: date) -> dict[str, Any]:
    sums: dict[str, Any] = {f"s_{name}": Sum(name) for name in COUNTERS}
    # Open cases already past their committed day (the rest of open_due is not overdue yet).
    sums["s_overdue_open"] = Sum("open_due", filter=Q(day__lt=today))
    sums["s_items_used"] = Count("item_id", distinct=True, filter=Q(filed__gt=0))
    return sums


SUM_NAMES = (*COUNTERS, "overdue_open", "items_used")


def _clean(row: dict[str, Any]) -> dict[str, int]:
    return {name: int(row.get(f"s_{name}") or 0) for name in SUM_NAMES}


def totals(period: Period, scope: Any = None, filters: Filters | None = None) -> dict[str, int]:
    """The sums of every counter over the period (one query)."""
    today = timezone.localdate()
    return _clean(rows(period, scope, filters).aggregate(**_sums(today)))


def grouped(
    period: Period, level: str, scope: Any = None, filters: Filters | None = None
) -> dict[Any, dict[str, int]]:
    """The sums per unit of ``level`` (organisation id, region id, item id or channel; one query)."""
    field = LEVEL_FIELDS[level]
    today = timezone.localdate()
    result = rows(period, scope, filters).order_by().values(field).annotate(**_sums(today))
    return {row[field]: _clean(row) for row in result}


def overdue_now(scope: Any = None, filters: Filters | None = None) -> int:
    """Open running cases past their committed day, today (partial index on ``open_due > 0``)."""
    qs = _narrow(CaseAggregate.objects.filter(open_due__gt=0, day__lt=timezone.localdate()), scope, filters)
    return int(qs.aggregate(n=Sum("open_due"))["n"] or 0)


def published_items(level: str, scope: Any = None, filters: Filters | None = None) -> dict[Any, int]:
    """How many published items each unit has (the denominator of 运行率)."""
    qs = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, revision_of__isnull=True)
    if scope is not None:
        qs = qs.filter(implementing_body_id__in=scope)
    if filters is not None:
        if filters.organisation_id is not None:
            qs = qs.filter(implementing_body_id=filters.organisation_id)
        if filters.item_id is not None:
            qs = qs.filter(pk=filters.item_id)
        if filters.region_prefix:
            qs = qs.filter(implementing_body__region__full_code__startswith=filters.region_prefix)
    if level == "item":
        return dict.fromkeys(qs.values_list("pk", flat=True), 1)
    field = {"department": "implementing_body_id", "region": "implementing_body__region_id"}.get(level)
    if field is None:
        return {None: qs.count()}
    return {row[field]: row["n"] for row in qs.order_by().values(field).annotate(n=Count("pk"))}


def unit_labels(level: str, ids: list[Any]) -> dict[Any, tuple[str, str]]:
    """``{id: (public key, name)}`` of the units (department public id, region code, item code)."""
    if level == "department":
        return {
            o.pk: (str(o.public_id), o.name)
            for o in Organisation.objects.filter(pk__in=ids).only("public_id", "name")
        }
    if level == "region":
        return {r.pk: (r.code, r.name) for r in Region.objects.filter(pk__in=ids).only("code", "name")}
    if level == "item":
        return {
            i.pk: (i.implementation_code, i.name)
            for i in ServiceItem.objects.filter(pk__in=ids).only("implementation_code", "name")
        }
    return {key: (str(key), str(key)) for key in ids}
