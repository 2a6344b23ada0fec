"""监察规则 Supervision rules as data: thresholds and scope, versioned (every edit a new version)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation, Region, TimeStampedModel


class RuleKind(models.TextChoices):
    TIME_YELLOW = "time_yellow", _("临近超期（黄色预警）")
    TIME_RED = "time_red", _("超期（红色预警）")
    STEPS_OUT_OF_ORDER = "steps_out_of_order", _("环节顺序异常")
    ACCEPTED_WITHOUT_MATERIALS = "accepted_without_required_materials", _("材料不全受理")
    DECISION_BY_UNAUTHORISED = "decision_by_unauthorised", _("无审批权限作出决定")
    REPEATED_CORRECTIONS = "repeated_corrections", _("多次补正")
    LONG_SPECIAL_PROCEDURE = "long_special_procedure", _("特别程序时间过长")
    REFUSAL_WITHOUT_REASON = "refusal_without_reason", _("不予许可未说明理由")
    RESULT_NOT_HANDED_OVER = "result_not_handed_over", _("结果未送达")
    LICENCE_NOT_ISSUED = "licence_not_issued", _("办结未出证")


class WarningLevel(models.TextChoices):
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警")


class SupervisionRule(TimeStampedModel):
    """One rule; its current values are copied here from its latest version (read by the checks)."""

    code = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=40, choices=RuleKind.choices)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=10, choices=WarningLevel.choices)
    thresholds = models.JSONField(default=dict, blank=True)
    scope_item = models.ForeignKey(
        ServiceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_department = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("监察规则")
        verbose_name_plural = _("监察规则")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class SupervisionRuleVersion(models.Model):
    """An immutable version of a rule: what it said from ``created_at`` on, and who set it."""

    rule = models.ForeignKey(SupervisionRule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=10, choices=WarningLevel.choices)
    thresholds = models.JSONField(default=dict, blank=True)
    scope_item = models.ForeignKey(
        ServiceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_department = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)
    comment = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["rule", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="supervision_unique_rule_version")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Rule versions are immutable")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class RuleGeneration(models.Model):
    """One row: bumped on every rule change so every process reloads its cached rule set."""

    generation = models.PositiveBigIntegerField(default=0)
    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return f"generation {self.generation}"
