"""Queries of the gateway's pages and API: call logs as provider, as consumer and as data subject,
statistics, consumers and subscriptions visible to a user."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from yiwang.sharing.models import CallResult, GatewayCall, GatewayConsumer, Subscription
from yiwang.sharing.services.permissions import is_catalogue_manager, official_organisation_id

MAX_STAT_DAYS = 92
MAX_DURATIONS = 200_000


def call_queryset() -> QuerySet[GatewayCall]:
    return GatewayCall.objects.select_related("consumer", "organisation", "resource", "resource__provider")


def calls_for(user: Any, side: str = "all") -> QuerySet[GatewayCall]:
    """Calls of the user's organisation's resources (``provider``), by its systems (``consumer``) or
    both; catalogue managers see every call.  Nobody else sees any."""
    qs = call_queryset()
    organisation_id = official_organisation_id(user)
    if organisation_id is None:
        return qs.none()
    if side == "all" and is_catalogue_manager(user):
        return qs
    as_provider = Q(resource__provider_id=organisation_id)
    as_consumer = Q(organisation_id=organisation_id)
    condition = {"provider": as_provider, "consumer": as_consumer}.get(side, as_provider | as_consumer)
    return qs.filter(condition)


def filter_calls(
    qs: QuerySet[GatewayCall],
    *,
    resource: str = "",
    consumer: Any = None,
    result: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[GatewayCall]:
    if resource:
        qs = qs.filter(resource_code=resource)
    if consumer:
        qs = qs.filter(consumer__public_id=consumer)
    if result:
        qs = qs.filter(result=result)
    if since:
        qs = qs.filter(at__gte=_start_of(since))
    if until:
        qs = qs.filter(at__lt=_start_of(until + timedelta(days=1)))
    return qs.order_by("-at", "-pk")


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def calls_about(user: Any) -> QuerySet[GatewayCall]:
    """我的数据被谁使用: the served calls about the user (as the subject), newest first."""
    return (
        GatewayCall.objects.filter(subject_user_id=user.pk, result__in=[CallResult.OK, CallResult.NOT_FOUND])
        .select_related("organisation", "consumer", "resource")
        .order_by("-at", "-pk")
    )


def percentile(sorted_values: list[int], share: float) -> int | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(share * (len(sorted_values) - 1))))
    return sorted_values[index]


def statistics(qs: QuerySet[GatewayCall], *, days: int = 30, now: datetime | None = None) -> dict[str, Any]:
    """Calls per resource, per consumer and per day, errors and refusals, p50/p95 response time
    (ms) over the last ``days`` days (at most 92)."""
    days = max(1, min(int(days), MAX_STAT_DAYS))
    today = timezone.localdate(now or timezone.now())
    first = today - timedelta(days=days - 1)
    window = qs.filter(at__gte=_start_of(first)).order_by()
    totals = dict(window.values_list("result").annotate(n=Count("id")).values_list("result", "n"))
    per_day_rows = (
        window.annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("day", "result")
        .annotate(n=Count("id"))
    )
    per_day: dict[str, dict[str, int]] = {
        (first + timedelta(days=i)).isoformat(): dict.fromkeys(CallResult.values, 0) for i in range(days)
    }
    for row in per_day_rows:
        key = row["day"].isoformat() if row["day"] else ""
        if key in per_day:
            per_day[key][row["result"]] = row["n"]
    per_resource = list(
        window.values("resource_code")
        .annotate(
            calls=Count("id"),
            errors=Count("id", filter=Q(result=CallResult.ERROR)),
            refused=Count("id", filter=Q(result=CallResult.REFUSED)),
        )
        .order_by("-calls", "resource_code")[:50]
    )
    per_consumer = list(
        window.values("consumer__name", "organisation__name")
        .annotate(
            calls=Count("id"),
            errors=Count("id", filter=Q(result=CallResult.ERROR)),
            refused=Count("id", filter=Q(result=CallResult.REFUSED)),
        )
        .order_by("-calls", "consumer__name")[:50]
    )
    durations = sorted(
        window.filter(result=CallResult.OK).values_list("duration_ms", flat=True)[:MAX_DURATIONS]
    )
    return {
        "days": days,
        "first_day": first.isoformat(),
        "total": sum(totals.values()),
        "by_result": {result: totals.get(result, 0) for result in CallResult.values},
        "p50_ms": percentile(durations, 0.5),
        "p95_ms": percentile(durations, 0.95),
        "per_day": [{"day": day, **counts} for day, counts in per_day.items()],
        "per_resource": [
            {
                "label": row["resource_code"] or "—",
                "calls": row["calls"],
                "errors": row["errors"],
                "refused": row["refused"],
            }
            for row in per_resource
        ],
        "per_consumer": [
            {
                "label": row["consumer__name"] or "（未认证）",
                "organisation": row["organisation__name"] or "",
                "calls": row["calls"],
                "errors": row["errors"],
                "refused": row["refused"],
            }
            for row in per_consumer
        ],
    }


def consumers_of(user: Any) -> QuerySet[GatewayConsumer]:
    organisation_id = official_organisation_id(user)
    if organisation_id is None:
        return GatewayConsumer.objects.none()
    return GatewayConsumer.objects.select_related("organisation", "application").filter(
        organisation_id=organisation_id
    )


def subscriptions_of(user: Any) -> QuerySet[Subscription]:
    organisation_id = official_organisation_id(user)
    if organisation_id is None:
        return Subscription.objects.none()
    return Subscription.objects.select_related("consumer", "resource", "endpoint").filter(
        consumer__organisation_id=organisation_id
    )
