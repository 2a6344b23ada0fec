"""考核方案 An assessment scheme as data: its indicators, weights and scoring methods, versioned.

A scheme is edited while a draft, then published (the runs use it) and retired when a newer version
is published.  Versions of one scheme share ``family``; each version is its own row, so a run keeps
the exact definition it used.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel


class UnitLevel(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    REGION = "region", _("地区")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class ScoringMethod(models.TextChoices):
    LINEAR = "linear", _("线性插值（下限到目标值）")
    RANKING = "ranking", _("按排名")
    THRESHOLD = "threshold", _("达标即得分")


class Direction(models.TextChoices):
    SOURCE = "", _("按指标来源")
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class MissingPolicy(models.TextChoices):
    ZERO = "zero", _("缺失记零分")
    EXCLUDE = "exclude", _("缺失不参与计分")


class AssessmentScheme(TimeStampedModel):
    """考核方案 One version of a scheme, owned by the supervising organisation (its data scope)."""

    family = models.UUIDField(default=uuid.uuid4, db_index=True)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    level = models.CharField(max_length=12, choices=UnitLevel.choices, default=UnitLevel.DEPARTMENT)
    period_kind = models.CharField(max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    status = models.CharField(max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assessment_schemes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="assessment_scheme_family_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Indicator(models.Model):
    """考核指标 One indicator of a scheme: a registered source, its weight and how it is scored."""

    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(max_length=60, help_text=_("name of a source in yiwang.metrics.sources"))
    label = models.CharField(max_length=100, blank=True)
    weight = models.DecimalField(max_digits=5, decimal_places=2)
    method = models.CharField(max_length=10, choices=ScoringMethod.choices, default=ScoringMethod.LINEAR)
    direction = models.CharField(
        max_length=6, choices=Direction.choices, default=Direction.SOURCE, blank=True
    )
    floor = models.FloatField(null=True, blank=True, help_text=_("linear: the value that scores 0"))
    target = models.FloatField(null=True, blank=True, help_text=_("linear: the value that scores in full"))
    threshold = models.FloatField(null=True, blank=True, help_text=_("threshold: the value to reach"))
    cap = models.PositiveSmallIntegerField(default=100, help_text=_("at most this % of the weight"))
    missing = models.CharField(max_length=8, choices=MissingPolicy.choices, default=MissingPolicy.ZERO)

    class Meta:
        ordering = ["scheme", "position", "pk"]
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "source"], name="assessment_indicator_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source} ({self.weight})"
