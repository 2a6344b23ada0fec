"""Reads of ratings: what each user may see, the indicators (one ``GROUP BY`` over the invitations),
the national feed export rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_noop

from yiwang.accounts.models import StaffRole
from yiwang.accounts.roles import in_scope_ids, organisations_in_scope, roles_of
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.ratings.actions import belongs_to, is_staff, is_supervisor
from yiwang.ratings.errors import RatingsErrorCode
from yiwang.ratings.models import (
    COUNTERS,
    OPEN_STATUSES,
    Rating,
    RatingDay,
    RatingDirtyDay,
    RatingInvitation,
    Rectification,
)

GROUPS = {
    "department": ("organisation__public_id", "organisation__name"),
    "item": ("item__implementation_code", "item__name"),
    "region": ("region_code", "region_code"),
    "month": ("month", "month"),
    "department_region": ("organisation__region__code", "organisation__region__name"),
}
MAX_PERIOD_DAYS = 366


def visibility(user: Any, field: str) -> Q | None:
    """The condition on ``field`` (an organisation) for what the user may see; None: nothing."""
    if not is_staff(user):
        return None
    condition = Q(pk__in=[])
    if belongs_to(user, user.staff_profile.organisation_id):
        condition = Q(**{f"{field}_id": user.staff_profile.organisation_id})
    if is_supervisor(user):
        condition |= Q(**{f"{field}_id__in": in_scope_ids(user, [StaffRole.SUPERVISOR])})
    return condition


def visible_rectifications(user: Any) -> QuerySet[Rectification]:
    condition = visibility(user, "department")
    if condition is None:
        return Rectification.objects.none()
    return Rectification.objects.filter(condition).select_related(
        "department", "rating", "invitation__item", "invitation__applicant", "called_back_by"
    )


def filtered_rectifications(
    rows: QuerySet[Rectification], *, status: str = "", warning: bool | None = None
) -> QuerySet[Rectification]:
    if status == "active":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if warning is not None:
        rows = rows.filter(warning=warning)
    return rows.order_by("-created_at", "-pk")


def my_invitations(user: Any) -> QuerySet[RatingInvitation]:
    if not getattr(user, "is_authenticated", False):
        return RatingInvitation.objects.none()
    return (
        RatingInvitation.objects.filter(applicant=user)
        .select_related("organisation", "item", "rating")
        .order_by("-served_at", "-pk")
    )


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    first = timezone.make_aware(datetime.combine(start, time.min))
    return first, first + timedelta(days=(end - start).days + 1)


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    label: str
    invited: int
    rated: int
    good: int
    active: int
    active_good: int
    bad: int
    replied: int
    rectified: int
    revisited: int
    revisit_satisfied: int

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 2) if whole else None

    @property
    def good_rate(self) -> float | None:  # 好评率
        return self.rate(self.good, self.rated)

    @property
    def active_good_rate(self) -> float | None:  # 主动评价好评率
        return self.rate(self.active_good, self.active)

    @property
    def unrated_rate(self) -> float | None:  # 未评率
        return self.rate(self.invited - self.active, self.invited)

    @property
    def bad_reply_rate(self) -> float | None:  # 差评回复率
        return self.rate(self.replied, self.bad)

    @property
    def bad_rectify_rate(self) -> float | None:  # 差评整改率
        return self.rate(self.rectified, self.bad)

    @property
    def revisit_satisfaction_rate(self) -> float | None:  # 回访整改满意率
        return self.rate(self.revisit_satisfied, self.revisited)


def counted(rows: Any) -> Any:
    """``rows`` (a ``values()`` of invitations) with the ten indicator counts annotated."""
    rated = Q(level__isnull=False)
    bad = Q(level__lte=2)
    return rows.annotate(
        invited=Count("pk"),
        rated=Count("pk", filter=rated),
        good=Count("pk", filter=Q(level__gte=3)),
        active=Count("pk", filter=rated & Q(is_default=False)),
        active_good=Count("pk", filter=Q(level__gte=3, is_default=False)),
        bad=Count("pk", filter=bad),
        replied=Count("pk", filter=bad & Q(bad_replied=True)),
        rectified=Count("pk", filter=bad & Q(bad_rectified=True)),
        revisited=Count("pk", filter=Q(revisit_satisfied__isnull=False)),
        revisit_satisfied=Count("pk", filter=Q(revisit_satisfied=True)),
    )


def _scoped(rows: Any, organisations: Any, region_prefix: str) -> Any:
    if organisations is not None:
        rows = rows.filter(organisation_id__in=organisations)
    if region_prefix:
        rows = rows.filter(region_code__startswith=region_prefix)
    return rows


def indicators(
    start: date, end: date, by: str, *, organisations: Any = None, region_prefix: str = ""
) -> list[IndicatorRow]:
    """The six indicators per group over the services delivered in [start, end]: the daily counts
    (``RatingDay``) of the clean days summed in one ``GROUP BY``, plus one live ``GROUP BY`` over
    the invitations of the days changed since their last recount (``RatingDirtyDay``)."""
    key, label = GROUPS[by]
    dirty = list(RatingDirtyDay.objects.filter(day__gte=start, day__lte=end).values_list("day", flat=True))
    days: Any = _scoped(RatingDay.objects.filter(day__gte=start, day__lte=end), organisations, region_prefix)
    if dirty:
        days = days.exclude(day__in=dirty)
    if by == "month":
        days = days.annotate(month=TruncMonth("day"))
    summed = days.values(key, label).annotate(**{c: Sum(c) for c in COUNTERS}).order_by()
    totals: dict[Any, dict[str, Any]] = {}
    for r in summed:
        totals[r[key]] = dict(r)
    if dirty:
        live_filter = Q()
        for day in dirty:
            first, last = bounds(day, day)
            live_filter |= Q(served_at__gte=first, served_at__lt=last)
        live: Any = _scoped(RatingInvitation.objects.filter(live_filter), organisations, region_prefix)
        if by == "month":
            live = live.annotate(month=TruncDate("served_at"))
        for r in counted(live.values(key, label)).order_by():
            k = r[key].replace(day=1) if by == "month" else r[key]
            row = totals.setdefault(k, {key: k, label: r[label], **dict.fromkeys(COUNTERS, 0)})
            for c in COUNTERS:
                row[c] = (row[c] or 0) + r[c]
    out = []
    for k in sorted(totals, key=lambda v: str(v or "")):
        r = totals[k]
        text = k.strftime("%Y-%m") if isinstance(k, date | datetime) else str(k or "")
        out.append(
            IndicatorRow(
                key=text,
                label=text if label == key else str(r[label] or ""),
                **{c: int(r[c] or 0) for c in COUNTERS},
            )
        )
    return out


def export_rows(start: date, end: date) -> QuerySet[Rating]:
    """The ratings given in [start, end] for the national feed, oldest first."""
    first, last = bounds(start, end)
    return (
        Rating.objects.filter(rated_at__gte=first, rated_at__lt=last)
        .select_related("invitation__organisation", "invitation__item")
        .order_by("rated_at", "pk")
    )


# --- lookups shared by the API and the pages -----------------------------------------------------
def by_token(token: str) -> RatingInvitation:
    inv = (
        RatingInvitation.objects.select_related("organisation", "item", "rating__rectification")
        .filter(token=token[:64])
        .first()
    )
    if inv is None:
        raise NotFound("评价链接无效", code=RatingsErrorCode.NOT_FOUND)
    return inv


def check_period(start: Any, end: Any) -> None:
    if end < start or (end - start).days > MAX_PERIOD_DAYS:
        raise DomainError(
            RatingsErrorCode.INVALID_PERIOD, "统计期间无效（结束早于开始或超过一年）", {"end": [str(end)]}
        )


def period_of(start: date | None, end: date | None) -> tuple[date, date]:
    """The requested period, this month to date by default; refused when reversed or over a year."""
    today = timezone.localdate()
    start = start or today.replace(day=1)
    end = end or today
    check_period(start, end)
    return start, end


def scope_of(user: Any) -> Any:
    """The organisation ids whose indicators the user may read (None: all); refused with 403."""
    if not is_staff(user):
        raise PermissionDenied("仅工作人员可查看评价指标", code=RatingsErrorCode.FORBIDDEN)
    if StaffRole.ADMIN in roles_of(user):
        return None  # the system administrator: every department
    ids: set[int] = set()
    if belongs_to(user, user.staff_profile.organisation_id):
        ids.add(user.staff_profile.organisation_id)
    if is_supervisor(user):
        ids |= set(organisations_in_scope(user, [StaffRole.SUPERVISOR]).values_list("pk", flat=True))
    if not ids:
        raise PermissionDenied("您的角色不能查看评价指标", code=RatingsErrorCode.FORBIDDEN)
    return ids


def screen_figures() -> list[dict[str, Any]]:
    """好差评 for the big screen (``metrics.screen_panels``): ratings given today and this month's
    好评率 (good ratings over ratings, default ones included), every department together."""
    today = timezone.localdate()
    day_start, day_end = bounds(today, today)
    month_start, _ = bounds(today.replace(day=1), today)
    rated_today = Rating.objects.filter(rated_at__gte=day_start, rated_at__lt=day_end).count()
    month = RatingInvitation.objects.filter(
        served_at__gte=month_start, served_at__lt=day_end, level__isnull=False
    ).aggregate(rated=Count("pk"), good=Count("pk", filter=Q(level__gte=4)))
    rate = round(100.0 * month["good"] / month["rated"], 1) if month["rated"] else None
    return [
        {"label": gettext_noop("今日评价"), "value": rated_today},
        {"label": gettext_noop("本月好评率（%）"), "value": "—" if rate is None else rate},
    ]
