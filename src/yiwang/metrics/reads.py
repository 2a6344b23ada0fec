"""Reads of the aggregates: sums over a period and scope, grouped by a level (no case scans).

``scope``: organisation ids (a subquery or list) the reader may see, ``None`` for everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.models import Organisation, Region
from yiwang.metrics.models import COUNTERS, CaseAggregate, CaseAggregateMonth
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


def segments(period: Period, today: date | None = None) -> list[tuple[Any, bool]]:
    """Where the period's sums are read: whole months before the current one from the monthly
    table, the other days from the daily one.  ``[(queryset, monthly)]``, at most two entries."""
    today = today or timezone.localdate()
    current = today.replace(day=1)
    months = []
    month = period.start.replace(day=1)
    while month <= period.end:
        following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
        if month >= period.start and following - timedelta(days=1) <= period.end and month < current:
            months.append(month)
        month = following
    out: list[tuple[Any, bool]] = []
    if months:
        out.append((CaseAggregateMonth.objects.filter(day__in=months), True))
        first, last = months[0], (months[-1].replace(day=28) + timedelta(days=4)).replace(day=1)
        daily = Q(day__gte=period.start, day__lt=first) | Q(day__gte=last, day__lte=period.end)
        if period.start < first or last <= period.end:
            out.append((CaseAggregate.objects.filter(daily), False))
    else:
        out.append((CaseAggregate.objects.filter(day__gte=period.start, day__lte=period.end), False))
    return out


def rows(period: Period, scope: Any = None, filters: Filters | None = None) -> list[tuple[Any, bool]]:
    """The narrowed querysets of the period (see :func:`segments`)."""
    return [(_narrow(qs, scope, filters), monthly) for qs, monthly in segments(period)]


def _narrow(qs: Any, scope: Any, filters: Filters | None) -> Any:
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


def _sums(today: date, monthly: bool) -> dict[str, Any]:
    sums: dict[str, Any] = {f"s_{name}": Sum(name) for name in COUNTERS}
    # Open cases already past their committed day (the rest of open_due is not overdue yet); the
    # monthly rows read are all of months before the current one.
    sums["s_overdue_open"] = Sum("open_due") if monthly else Sum("open_due", filter=Q(day__lt=today))
    return sums


SUM_NAMES = (*COUNTERS, "overdue_open", "items_used")


def _clean(row: dict[str, Any]) -> dict[str, int]:
    return {name: int(row.get(f"s_{name}") or 0) for name in SUM_NAMES}


def _merge(into: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    for name, value in more.items():
        into[name] = into.get(name, 0) + value
    return into


def totals(period: Period, scope: Any = None, filters: Filters | None = None) -> dict[str, int]:
    """The sums of every counter over the period (two queries per segment)."""
    today = timezone.localdate()
    total = dict.fromkeys(SUM_NAMES, 0)
    used: set[int] = set()
    for qs, monthly in rows(period, scope, filters):
        _merge(total, _clean(qs.aggregate(**_sums(today, monthly))))
        used |= set(qs.filter(filed__gt=0).order_by().values_list("item_id", flat=True).distinct())
    total["items_used"] = len(used)
    return total


def grouped(
    period: Period, level: str, scope: Any = None, filters: Filters | None = None, *, items_used: bool = True
) -> dict[Any, dict[str, int]]:
    """The sums per unit of ``level`` (organisation id, region id, item id or channel); without
    ``items_used`` (the 运行率 numerator) one query a segment instead of two."""
    field = LEVEL_FIELDS[level]
    today = timezone.localdate()
    result: dict[Any, dict[str, int]] = {}
    used: dict[Any, set[int]] = {}
    for qs, monthly in rows(period, scope, filters):
        for row in qs.order_by().values(field).annotate(**_sums(today, monthly)):
            _merge(result.setdefault(row[field], dict.fromkeys(SUM_NAMES, 0)), _clean(row))
        if not items_used:
            continue
        pairs = qs.filter(filed__gt=0).order_by().values_list(field, "item_id").distinct()
        for unit, item in pairs:
            used.setdefault(unit, set()).add(item)
    for unit, sums in result.items():
        sums["items_used"] = len(used.get(unit, ()))
    return result


def overdue_now(scope: Any = None, filters: Filters | None = None) -> int:
    """Open running cases past their committed day, today (partial covering index on ``open_due > 0``)."""
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
