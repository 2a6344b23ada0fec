"""预警 Warnings raised by the rules on cases, and their lifecycle."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models import Case
from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.supervision.models.rules import SupervisionRule, WarningLevel


class WarningStatus(models.TextChoices):
    OPEN = "open", _("待签收")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    EXPLAINED = "explained", _("已说明待审核")
    CORRECTED = "corrected", _("已纠正")
    CLOSED = "closed", _("已关闭")


class WarningResolution(models.TextChoices):
    NONE = "", _("未处理")
    CORRECTED = "corrected", _("已纠正")
    CLEARED = "cleared", _("条件消除自动关闭")
    EXPLANATION_ACCEPTED = "explanation_accepted", _("说明已采纳")


class WarningSource(models.TextChoices):
    EVENT = "event", _("实时检查")
    SCAN = "scan", _("定时扫描")


OPEN_STATUSES = (
    WarningStatus.OPEN,
    WarningStatus.ACKNOWLEDGED,
    WarningStatus.EXPLAINED,
    WarningStatus.CORRECTED,
)


class SupervisionWarning(TimeStampedModel):
    """One warning of one rule on one case; at most one not closed per case and rule."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(SupervisionRule, on_delete=models.PROTECT, related_name="warnings")
    rule_version = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    level = models.CharField(max_length=10, choices=WarningLevel.choices)
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=WarningSource.choices)
    status = models.CharField(max_length=14, choices=WarningStatus.choices, default=WarningStatus.OPEN)
    resolution = models.CharField(max_length=24, choices=WarningResolution.choices, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    explanation = models.TextField(blank=True)
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    explained_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule"],
                condition=~Q(status="closed"),
                name="supervision_one_open_warning_per_case_rule",
            )
        ]
        indexes = [
            models.Index(fields=["department", "status", "raised_at"]),
            models.Index(fields=["rule", "status"]),
            models.Index(fields=["raised_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.case_id}:{self.status}"

    @property
    def is_closed(self) -> bool:
        return self.status == WarningStatus.CLOSED
