"""Reads of ratings: what each user may see, the indicators (one ``GROUP BY`` over the invitations),
the national feed export rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yiwang.accounts.models import StaffRole
from yiwang.accounts.roles import in_scope_ids, organisations_in_scope, roles_of
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.ratings.actions import belongs_to, is_staff, is_supervisor
from yiwang.ratings.errors import RatingsErrorCode
from yiwang.ratings.models import OPEN_STATUSES, Rating, RatingInvitation, Rectification

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
        "department", "rating", "invitation__item", "called_back_by"
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


def indicators(
    start: date, end: date, by: str, *, organisations: Any = None, region_prefix: str = ""
) -> list[IndicatorRow]:
    """The six indicators per group over the invitations served in [start, end], in one query."""
    first, last = bounds(start, end)
    rows: Any = RatingInvitation.objects.filter(served_at__gte=first, served_at__lt=last)
    if organisations is not None:
        rows = rows.filter(organisation_id__in=organisations)
    if region_prefix:
        rows = rows.filter(region_code__startswith=region_prefix)
    key, label = GROUPS[by]
    if by == "month":
        rows = rows.annotate(month=TruncMonth("served_at"))
    rated = Q(level__isnull=False)
    bad = Q(level__lte=2)
    result = (
        rows.values(key, label)
        .annotate(
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
        .order_by(key)
    )
    out = []
    for r in result:
        k = r[key]
        text = k.strftime("%Y-%m") if isinstance(k, date | datetime) else str(k or "")
        out.append(
            IndicatorRow(
                key=text,
                label=text if label == key else str(r[label] or ""),
                **{
                    f: r[f]
                    for f in (
                        "invited",
                        "rated",
                        "good",
                        "active",
                        "active_good",
                        "bad",
                        "replied",
                        "rectified",
                        "revisited",
                        "revisit_satisfied",
                    )
                },
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
