"""Indicator sources fed by supervision (registered in :mod:`yiwang.metrics.sources`).

Rates are over the cases submitted in the period (per the case's handling department, its region
or its item): the share (in %) of those cases with any warning, with a red warning, with an anomaly
warning (any rule but the two time rules).  Counts are warnings raised and cards issued in the period.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import Case
from yiwang.metrics.sources import Period, Source, register
from yiwang.supervision.models import Card, CardColour, CardStatus, RuleKind, SupervisionWarning, WarningLevel

KEY = {
    "department": "handling_organisation__public_id",
    "region": "handling_organisation__region__code",
    "item": "item__implementation_code",
}
WARNING_KEY = {
    "department": "department__public_id",
    "region": "department__region__code",
    "item": "item__implementation_code",
}
TIME_KINDS = (RuleKind.TIME_YELLOW, RuleKind.TIME_RED)


def _bounds(period: Period) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(period.start, time.min))
    return start, start + timedelta(days=(period.end - period.start).days + 1)


def _cases(period: Period) -> QuerySet[Case]:
    start, end = _bounds(period)
    return Case.objects.filter(submitted_at__gte=start, submitted_at__lt=end)


def _rate(period: Period, level: str, warning_filter: Q) -> dict[str, float | None]:
    flagged = SupervisionWarning.objects.filter(warning_filter, case_id=OuterRef("pk"))
    rows = (
        _cases(period)
        .annotate(flag=Exists(flagged))
        .values(KEY[level])
        .annotate(total=Count("pk"), hit=Count("pk", filter=Q(flag=True)))
    )
    return {str(r[KEY[level]]): (100.0 * r["hit"] / r["total"] if r["total"] else None) for r in rows}


def warning_rate(period: Period, level: str) -> dict[str, float | None]:
    return _rate(period, level, Q())


def red_warning_rate(period: Period, level: str) -> dict[str, float | None]:
    return _rate(period, level, Q(level=WarningLevel.RED))


def anomaly_rate(period: Period, level: str) -> dict[str, float | None]:
    return _rate(period, level, ~Q(kind__in=TIME_KINDS))


def warning_count(period: Period, level: str) -> dict[str, float | None]:
    start, end = _bounds(period)
    rows = (
        SupervisionWarning.objects.filter(raised_at__gte=start, raised_at__lt=end)
        .values(WARNING_KEY[level])
        .annotate(n=Count("pk"))
    )
    return {str(r[WARNING_KEY[level]]): float(r["n"]) for r in rows}


def _cards(colour: str) -> Any:
    def fn(period: Period, level: str) -> dict[str, float | None]:
        key = {"department": "department__public_id", "region": "department__region__code"}[level]
        rows = (
            Card.objects.filter(
                colour=colour,
                status__in=(CardStatus.ISSUED, CardStatus.APPEALED, CardStatus.UPHELD),
                period_start__lte=period.end,
                period_end__gte=period.start,
            )
            .values(key)
            .annotate(n=Count("pk"))
        )
        return {str(r[key]): float(r["n"]) for r in rows}

    return fn


def register_all() -> None:
    ctx = "supervision"
    register(Source("warning_rate", _("预警率"), "%", False, warning_rate, context=ctx))
    register(Source("red_warning_rate", _("红色预警率"), "%", False, red_warning_rate, context=ctx))
    register(Source("anomaly_rate", _("异常率"), "%", False, anomaly_rate, context=ctx))
    register(Source("warning_count", _("预警数"), "count", False, warning_count, context=ctx))
    levels = ("department", "region")
    register(Source("cards_red", _("红牌数"), "count", False, _cards(CardColour.RED), levels, ctx))
    register(Source("cards_yellow", _("黄牌数"), "count", False, _cards(CardColour.YELLOW), levels, ctx))
