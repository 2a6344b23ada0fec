"""Case aggregates (办件统计汇总): per-case facts and their sums per day × department × item × channel.

Derived data, rebuilt at will from the cases (``manage.py recount_aggregates``).  A case contributes
one :class:`CaseFact` row per *day role* (the day it was filed, accepted, closed, and the committed
due day while it is open and running); rows of one case falling on the same day are merged.  The
aggregate of a key is the sum of the fact rows of that key.  See :mod:`yiwang.metrics.aggregates`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation, Region

# The additive counters held by facts and aggregates, in a fixed order (docs/dashboards.md).
COUNTERS: tuple[str, ...] = (
    "filed",  # 申请 (on the filing day)
    "online",  # 网上申请: filed through web, mobile or the API
    "zero_visit",  # 零跑动
    "one_visit",  # 最多跑一次 (zero or one visit)
    "immediate",  # 即办件
    "visits_saved",  # 少跑次数 against the traditional two visits
    "accepted",  # 受理 (on the acceptance day)
    "completed",  # 办结 (on the closing day)
    "decided",  # 办结 + 不予受理: cases with a result
    "refused",  # 结果否定: 不予受理 or 不予批准
    "with_due",  # completed cases that had a committed date
    "on_time",  # … completed on or before it
    "late",  # … completed after it
    "timed",  # completed cases with an acceptance day (handling time known)
    "handling_days",  # Σ working days from acceptance to completion, pauses excluded
    "committed_days",  # Σ committed limits of those cases
    "statutory_days",  # Σ statutory limits of those cases
    "time_saved_days",  # Σ (statutory limit − handling days)
    "open_due",  # open running cases whose committed due day is this day
)


class _Counters(models.Model):
    day = models.DateField()
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10)
    filed = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    zero_visit = models.IntegerField(default=0)
    one_visit = models.IntegerField(default=0)
    immediate = models.IntegerField(default=0)
    visits_saved = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    completed = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    refused = models.IntegerField(default=0)
    with_due = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    timed = models.IntegerField(default=0)
    handling_days = models.IntegerField(default=0)
    committed_days = models.IntegerField(default=0)
    statutory_days = models.IntegerField(default=0)
    time_saved_days = models.IntegerField(default=0)
    open_due = models.IntegerField(default=0)

    class Meta:
        abstract = True


class CaseFact(_Counters):
    """One case's contribution to one aggregate key (no public id: never shown on its own)."""

    case_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("办件统计事实")
        verbose_name_plural = _("办件统计事实")
        constraints = [models.UniqueConstraint(fields=["case_id", "day"], name="metrics_unique_fact_day")]
        indexes = [models.Index(fields=["item", "day"], name="metrics_fact_item_day_idx")]

    def __str__(self) -> str:
        return f"case {self.case_id} on {self.day}"


class CaseAggregate(_Counters):
    """办件统计汇总 The sums of the facts of one (day, department, item, channel); region follows the
    department (denormalised for filtering)."""

    class Meta:
        verbose_name = _("办件统计汇总")
        verbose_name_plural = _("办件统计汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "organisation", "item", "channel"], name="metrics_unique_aggregate_key"
            )
        ]
        indexes = [
            models.Index(fields=["day", "organisation"], name="metrics_agg_day_org_idx"),
            models.Index(fields=["organisation", "day"], name="metrics_agg_org_day_idx"),
            models.Index(fields=["item", "day"], name="metrics_agg_item_day_idx"),
            models.Index(
                fields=["day", "organisation"],
                condition=models.Q(open_due__gt=0),
                include=["open_due"],
                name="metrics_agg_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.organisation_id}/{self.item_id}/{self.channel}"


class CaseAggregateMonth(_Counters):
    """办件统计月汇总 The daily aggregates of one calendar month summed (``day``: the month's first
    day), so that a period of many months reads a few rows per key; kept by the same refresh."""

    class Meta:
        verbose_name = _("办件统计月汇总")
        verbose_name_plural = _("办件统计月汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "organisation", "item", "channel"], name="metrics_unique_month_key"
            )
        ]
        indexes = [
            models.Index(fields=["day", "organisation"], name="metrics_month_day_org_idx"),
            models.Index(fields=["item", "day"], name="metrics_month_item_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m} {self.organisation_id}/{self.item_id}/{self.channel}"


class DirtyCase(models.Model):
    """A case whose facts must be recomputed (marked on every case event, cleared by the refresh)."""

    case_id = models.BigIntegerField(primary_key=True)
    marked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("待重算办件")
        verbose_name_plural = _("待重算办件")

    def __str__(self) -> str:
        return f"case {self.case_id}"
