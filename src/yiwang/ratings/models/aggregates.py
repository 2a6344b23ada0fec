"""评价日汇总 Daily counts of the indicators per department × item × region (ADR-style note in
docs/ratings.md "Indicators at scale"): the indicators read these rows for the days that are clean
and count the invitations live for the few days marked dirty since the last recount."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation

COUNTERS = (
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


class RatingDay(models.Model):
    """One day's counts for one department, item and region (the day of the service)."""

    day = models.DateField()
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(ServiceItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField(max_length=12)
    invited = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    active_good = models.PositiveIntegerField(default=0)
    bad = models.PositiveIntegerField(default=0)
    replied = models.PositiveIntegerField(default=0)
    rectified = models.PositiveIntegerField(default=0)
    revisited = models.PositiveIntegerField(default=0)
    revisit_satisfied = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("评价日汇总")
        verbose_name_plural = _("评价日汇总")
        indexes = [
            models.Index(fields=["day"], name="ratings_day_day"),
            models.Index(fields=["organisation", "day"], name="ratings_day_org"),
        ]

    def __str__(self) -> str:
        return f"{self.day}:{self.organisation_id}:{self.item_id}"


class RatingDirtyDay(models.Model):
    """A day whose counts changed since its last recount (``yiwang ratings_aggregate``)."""

    day = models.DateField(unique=True)

    class Meta:
        verbose_name = _("待重算的评价日")
        verbose_name_plural = _("待重算的评价日")

    def __str__(self) -> str:
        return str(self.day)
