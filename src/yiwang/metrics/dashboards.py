"""Dashboards (运行监测): figures for a period and scope, all read from the aggregates.

Who: staff with a case-handling or management role (``DASHBOARD_ROLES``); each sees the departments
his roles reach (his own department, or his region subtree with a region-scoped role).  The 三员
security administrator and auditor have no business data and are refused.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO
from typing import Any
from uuid import UUID

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.accounts import staff as staff_scope
from yiwang.accounts.models import User
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.inputs import parse_day
from yiwang.core.models import Channel, Organisation
from yiwang.metrics import indicators, reads, sources
from yiwang.metrics.errors import MetricsErrorCode
from yiwang.metrics.sources import Period

DASHBOARD_ROLES = (
    "service_manager",
    "supervisor",
    "admin",
    "window_clerk",
    "handler",
    "approver",
    "data_official",
)
LEVELS = ("department", "region", "item", "channel")
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Query:
    period: Period
    filters: reads.Filters
    level: str = "department"


def require_access(user: User) -> None:
    if not staff_scope.roles_of(user) & set(DASHBOARD_ROLES):
        raise PermissionDenied(
            "仅办件相关岗位、事项管理员、监察人员和系统管理员可查看运行监测",
            code=MetricsErrorCode.NO_DASHBOARD_ROLE,
        )


def scope_of(user: User) -> Any:
    """The organisation ids the user may see (a subquery)."""
    require_access(user)
    return staff_scope.in_scope_ids(user, DASHBOARD_ROLES)


def default_period(today: date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today.replace(day=1), today)


def parse_query(user: User, params: Any) -> Query:
    """Period, filters and level from query parameters; 422 on bad values, 403 out of scope."""
    errors: dict[str, list[str]] = {}
    fallback = default_period()

    def text(name: str, limit: int = 64) -> str:
        return str(params.get(name, "") or "").strip()[:limit]

    def day(name: str, default: date) -> date:
        raw = text(name, 20)
        if not raw:
            return default
        parsed = parse_day(raw)
        if parsed is None:
            errors[name] = ["日期格式应为 YYYY-MM-DD"]
            return default
        return parsed

    start, end = day("start", fallback.start), day("end", fallback.end)
    if end < start:
        errors["end"] = ["结束日期不能早于开始日期"]
    elif (end - start).days > MAX_PERIOD_DAYS:
        errors["end"] = ["统计期间不能超过三年"]
    level = text("level", 20) or "department"
    if level not in LEVELS:
        errors["level"] = [f"可选：{', '.join(LEVELS)}"]
    organisation_id = item_id = None
    department = text("department")
    if department:
        with contextlib.suppress(ValueError):
            organisation_id = (
                Organisation.objects.filter(public_id=UUID(department)).values_list("pk", flat=True).first()
            )
        if organisation_id is None:
            errors["department"] = ["未知的部门"]
    item = text("item")
    if item:
        with contextlib.suppress(ValueError):
            item_id = ServiceItem.objects.filter(public_id=UUID(item)).values_list("pk", flat=True).first()
        if item_id is None:
            errors["item"] = ["未知的事项"]
    region = text("region", 12)
    if region and not region.isdigit():
        errors["region"] = ["行政区划代码应为数字"]
    if errors:
        code = MetricsErrorCode.BAD_PERIOD if {"start", "end"} & set(errors) else MetricsErrorCode.BAD_FILTER
        raise DomainError(code, "查询条件不正确", errors, status=422)
    if organisation_id is not None and not staff_scope.in_scope(user, organisation_id, DASHBOARD_ROLES):
        raise PermissionDenied("该部门不在您的数据范围内", code=MetricsErrorCode.OUT_OF_SCOPE)
    filters = reads.Filters(organisation_id, reads.region_prefix(region) if region else "", item_id)
    return Query(Period(start, end if end >= start else start), filters, level)


def _warning_count(period: Period, unit_keys: set[str] | None = None) -> int | None:
    """预警数 through the source registry (supervision registers ``warning_count``), else ``None``."""
    source = sources.get("warning_count")
    if source is None or "department" not in source.levels:
        return None
    values = source.fn(period, "department")
    return int(sum(v or 0 for k, v in values.items() if unit_keys is None or k in unit_keys))


def _scope_keys(scope: Any, filters: reads.Filters) -> set[str]:
    qs = Organisation.objects.filter(pk__in=scope)
    if filters.organisation_id is not None:
        qs = qs.filter(pk=filters.organisation_id)
    return {str(pk) for pk in qs.values_list("public_id", flat=True)}


def summary(user: User, query: Query) -> dict[str, Any]:
    """The totals and every metric for the period within the user's scope (three queries + warnings)."""
    scope = scope_of(user)
    sums = reads.totals(query.period, scope, query.filters)
    items = sum(reads.published_items("all", scope, query.filters).values())
    return {
        "start": query.period.start,
        "end": query.period.end,
        "totals": sums,
        "metrics": indicators.evaluate(sums, items),
        "overdue_now": reads.overdue_now(scope, query.filters),
        "warning_count": _warning_count(query.period, _scope_keys(scope, query.filters)),
    }


def _labelled(
    level: str, sums: dict[Any, dict[str, int]], counter: str, limit: int | None = None
) -> list[dict[str, Any]]:
    ordered = sorted(((k, v[counter]) for k, v in sums.items() if v[counter]), key=lambda kv: -kv[1])
    if limit is not None:
        ordered = ordered[:limit]
    labels = reads.unit_labels(level, [k for k, _v in ordered]) if level != "channel" else {}
    channel_names = dict(Channel.choices)
    out = []
    for key, count in ordered:
        if level == "channel":
            out.append({"key": str(key), "label": str(channel_names.get(key, key)), "count": count})
        else:
            public, label = labels.get(key, (str(key), str(key)))
            out.append({"key": public, "label": label, "count": count})
    return out


def activity(sums: dict[str, int], overdue: int) -> list[dict[str, Any]]:
    """Today's cases by status (as activity of the day)."""
    return [
        {"key": "filed", "label": _("申请"), "count": sums["filed"]},
        {"key": "accepted", "label": _("受理"), "count": sums["accepted"]},
        {"key": "completed", "label": _("办结"), "count": sums["completed"]},
        {"key": "refused", "label": _("结果否定"), "count": sums["refused"]},
        {"key": "overdue", "label": _("超期未办结"), "count": overdue},
    ]


def today(user: User | None, query: Query | None = None, *, day: date | None = None) -> dict[str, Any]:
    """Cases today: by status, department, channel and region; overdue and warning counts.
    ``user`` None: the whole platform (the big screen)."""
    day = day or timezone.localdate()
    period = Period(day, day)
    scope = scope_of(user) if user is not None else None
    filters = query.filters if query is not None else None
    by_org = reads.grouped(period, "department", scope, filters, items_used=False)
    totals = _add(by_org.values())
    overdue = reads.overdue_now(scope, filters)
    keys = _scope_keys(scope, filters or reads.Filters()) if scope is not None else None
    return {
        "day": day,
        "by_status": activity(totals, overdue),
        "by_department": _labelled("department", by_org, "filed"),
        "by_channel": _labelled(
            "channel", reads.grouped(period, "channel", scope, filters, items_used=False), "filed"
        ),
        "by_region": _labelled(
            "region", reads.grouped(period, "region", scope, filters, items_used=False), "filed"
        ),
        "overdue_now": overdue,
        "warning_count": _warning_count(period, keys),
    }


def _add(values: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for sums in values:
        for name, value in sums.items():
            total[name] = total.get(name, 0) + value
    return total | {k: 0 for k in ("filed", "accepted", "completed", "refused") if k not in total}


def top_items(user: User | None, query: Query, limit: int = 10) -> list[dict[str, Any]]:
    """The items with the most applications in the period (one grouped query a segment + labels)."""
    scope = scope_of(user) if user is not None else None
    counts: dict[int, int] = {}
    for qs, _monthly in reads.rows(query.period, scope, query.filters):
        for row in qs.order_by().values("item_id").annotate(n=Sum("filed")).filter(n__gt=0):
            counts[row["item_id"]] = counts.get(row["item_id"], 0) + int(row["n"])
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    labels = reads.unit_labels("item", [k for k, _n in best])
    return [{"key": labels[k][0], "label": labels[k][1], "count": n} for k, n in best if k in labels]


def metrics_table(user: User, query: Query) -> dict[str, Any]:
    scope = scope_of(user)
    return {
        "start": query.period.start,
        "end": query.period.end,
        "level": query.level,
        "columns": [
            {"name": m.name, "label": str(m.label), "unit": m.unit, "higher_is_better": m.higher_is_better}
            for m in indicators.METRICS
        ],
        "rows": [
            {"key": r["key"], "label": r["label"], "values": r["values"]}
            for r in indicators.per_unit(query.period, query.level, scope, query.filters)
        ],
    }


def export_xlsx(user: User, query: Query) -> bytes:
    """The metrics table as an Excel workbook (openpyxl): one sheet, a header row, one row a unit."""
    from openpyxl import Workbook

    table = metrics_table(user, query)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("运行指标")
    sheet.append([_("统计期间"), f"{query.period.start:%Y-%m-%d} — {query.period.end:%Y-%m-%d}"])
    units = {"%": "%", "days": _("工作日"), "count": _("件/次")}
    sheet.append(
        [_("单位"), *[f"{c['label']}（{units.get(c['unit'], c['unit'])}）" for c in table["columns"]]]
    )
    for row in table["rows"]:
        sheet.append([row["label"], *[row["values"][c["name"]] for c in table["columns"]]])
    sheet.column_dimensions["A"].width = 36
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def recent_days(days: int = 7, today_: date | None = None) -> Period:
    end = today_ or timezone.localdate()
    return Period(end - timedelta(days=days - 1), end)
