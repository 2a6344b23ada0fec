"""办件库 Case library: staff search and reports over closed and open cases, within data scope.

Who may use it: any case-handling role (窗口人员, 承办人, 审批人, 监察人员, 数据专员); each sees the
cases of the organisations his roles reach (his department, or with a region-scoped role his region
and every region below it, see ``accounts.staff.organisations_in_scope``).  Reports group the same
filtered cases by item, department, status, channel or month and give the on-time rate
(按期办结率): cases closed on or before their committed date, over closed cases that had one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from yiwang.accounts import staff as staff_scope
from yiwang.accounts.models import User
from yiwang.cases.models import TERMINAL_STATUSES, Case, CaseStatus
from yiwang.core.errors import CoreErrorCode, DomainError, PermissionDenied
from yiwang.core.inputs import parse_day
from yiwang.core.models import Channel

LIBRARY_ROLES = ("window_clerk", "handler", "approver", "supervisor", "data_official")
GROUP_FIELDS: dict[str, tuple[str, ...]] = {
    "item": ("item__public_id", "item__name"),
    "department": ("handling_organisation__public_id", "handling_organisation__name"),
    "status": ("status",),
    "channel": ("channel",),
    "month": ("month",),
}
GROUPINGS = tuple(GROUP_FIELDS)
CLOSED_STATUSES = [str(s) for s in TERMINAL_STATUSES] + ["terminated"]


@dataclass(frozen=True)
class LibraryFilter:
    """Search criteria; empty values mean "any".  Dates are local (Asia/Shanghai) submission dates."""

    item: UUID | None = None
    department: UUID | None = None
    region: str = ""
    status: str = ""
    channel: str = ""
    date_from: date | None = None
    date_to: date | None = None
    number: str = ""
    applicant_name: str = ""

    def as_query(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.__dict__.items() if value not in (None, "")}


def parse_filter(params: Any) -> LibraryFilter:
    """A filter from query parameters (a QueryDict or a mapping); bad values are a 422 with fields."""
    errors: dict[str, list[str]] = {}

    def text(name: str, limit: int) -> str:
        return str(params.get(name, "") or "").strip()[:limit]

    def uuid_of(name: str) -> UUID | None:
        raw = text(name, 64)
        if not raw:
            return None
        try:
            return UUID(raw)
        except ValueError:
            errors[name] = ["不是有效的标识"]
            return None

    def date_of(name: str) -> date | None:
        raw = text(name, 20)
        if not raw:
            return None
        day = parse_day(raw)  # a real day in 1900–2999: the end of the range + 1 day cannot overflow
        if day is None:
            errors[name] = ["日期格式应为 YYYY-MM-DD（1900–2999 年）"]
        return day

    status = text("status", 30)
    if status and status not in set(CaseStatus.values) | {"terminated"}:
        errors["status"] = ["未知的办件状态"]
    channel = text("channel", 10)
    if channel and channel not in Channel.values:
        errors["channel"] = ["未知的办理渠道"]
    region = text("region", 12)
    if region and not region.isdigit():
        errors["region"] = ["行政区划代码应为数字"]
    result = LibraryFilter(
        item=uuid_of("item"),
        department=uuid_of("department"),
        region=region,
        status=status,
        channel=channel,
        date_from=date_of("date_from"),
        date_to=date_of("date_to"),
        number=text("number", 50),
        applicant_name=text("applicant_name", 100),
    )
    if result.date_from and result.date_to and result.date_from > result.date_to:
        errors["date_to"] = ["结束日期不能早于开始日期"]
    if errors:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "查询条件不正确", errors, status=422)
    return result


def require_library_access(user: User) -> None:
    if not staff_scope.roles_of(user) & set(LIBRARY_ROLES):
        raise PermissionDenied("仅办件相关岗位的工作人员可使用办件库")


def _region_prefix(code: str) -> str:
    """GB/T 2260 code → the prefix of every code inside it (trailing zero pairs dropped)."""
    code = code[:12]
    if len(code) > 6:
        return code.rstrip("0") or code
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def search_cases(user: User, criteria: LibraryFilter) -> QuerySet[Case]:
    """The cases in the user's data scope that match the criteria, newest first."""
    require_library_access(user)
    qs = Case.objects.filter(handling_organisation__in=staff_scope.in_scope_ids(user, LIBRARY_ROLES))
    if criteria.item:
        qs = qs.filter(item__public_id=criteria.item)
    if criteria.department:
        qs = qs.filter(handling_organisation__public_id=criteria.department)
    if criteria.region:
        qs = qs.filter(handling_organisation__region__full_code__startswith=_region_prefix(criteria.region))
    if criteria.status:
        qs = qs.filter(status=criteria.status)
    if criteria.channel:
        qs = qs.filter(channel=criteria.channel)
    tz = timezone.get_current_timezone()
    if criteria.date_from:
        qs = qs.filter(submitted_at__gte=datetime.combine(criteria.date_from, time.min, tzinfo=tz))
    if criteria.date_to:
        qs = qs.filter(
            submitted_at__lt=datetime.combine(criteria.date_to + timedelta(days=1), time.min, tzinfo=tz)
        )
    if criteria.number:
        qs = (
            qs.filter(number__startswith=criteria.number)
            if criteria.number.isdigit()
            else qs.filter(number__icontains=criteria.number)
        )
    if criteria.applicant_name:
        qs = qs.filter(applicant_name__icontains=criteria.applicant_name)
    return qs.select_related("item", "handling_organisation").order_by("-submitted_at", "-pk")


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    total: int
    closed: int
    with_due: int
    on_time: int

    @property
    def on_time_rate(self) -> float | None:
        """按期办结率 as a fraction, ``None`` when no closed case had a committed date."""
        return round(self.on_time / self.with_due, 4) if self.with_due else None

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "on_time_rate": self.on_time_rate}


def case_report(user: User, criteria: LibraryFilter, group_by: str) -> list[ReportRow]:
    """统计报表: counts of the filtered cases grouped by one dimension, with the on-time rate."""
    if group_by not in GROUPINGS:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "不支持的统计维度",
            {"group_by": [f"可选：{', '.join(GROUPINGS)}"]},
            status=422,
        )
    qs = search_cases(user, criteria).order_by()
    closed = Q(status__in=CLOSED_STATUSES)
    with_due = closed & Q(due_date__isnull=False, completed_at__isnull=False)
    tz = timezone.get_current_timezone()
    qs = qs.annotate(closed_on=TruncDate("completed_at", tzinfo=tz))
    aggregates = {
        "total": Count("pk"),
        "closed": Count("pk", filter=closed),
        "with_due": Count("pk", filter=with_due),
        "on_time": Count("pk", filter=with_due & Q(closed_on__lte=F("due_date"))),
    }
    base: Any = qs.annotate(month=TruncMonth("submitted_at", tzinfo=tz)) if group_by == "month" else qs
    fields = GROUP_FIELDS[group_by]
    order = ["month"] if group_by == "month" else ["-total", fields[-1]]
    rows: list[dict[str, Any]] = list(base.values(*fields).annotate(**aggregates).order_by(*order))
    labels: dict[str, str] = {}
    if group_by == "status":
        labels = {str(k): str(v) for k, v in CaseStatus.choices}
    elif group_by == "channel":
        labels = {str(k): str(v) for k, v in Channel.choices}
    result = []
    for row in rows:
        if group_by == "month":
            key, label = f"{row['month']:%Y-%m}", f"{row['month']:%Y年%m月}"
        elif len(fields) == 2:
            key, label = str(row[fields[0]]), str(row[fields[1]])
        else:
            key = str(row[fields[0]])
            label = labels.get(key, key)
        result.append(_row(key, label, row))
    return result


def _row(key: str, label: str, values: dict[str, Any]) -> ReportRow:
    return ReportRow(key, label, values["total"], values["closed"], values["with_due"], values["on_time"])
