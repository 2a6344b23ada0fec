"""考核结果 An assessment run: a scheme scored for one period, kept as an immutable snapshot (the
indicator definitions and every input value are stored with the results).  A draft run is replaced by a
re-run; a published run never changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.assessment.models.schemes import AssessmentScheme
from yiwang.core.models import Organisation, TimeStampedModel


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class AssessmentRun(TimeStampedModel):
    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.PROTECT, related_name="runs")
    period_label = models.CharField(max_length=10, help_text=_("2026-03, 2026-Q1 or 2026"))
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    indicators = models.JSONField(default=list, help_text=_("the scheme's indicators as scored"))
    inputs = models.JSONField(default=dict, help_text=_("source → unit → value read from the registry"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    report = models.FileField(upload_to="assessment/reports/", blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-period_start", "-created_at"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period_label"], name="assessment_run_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.period_label}"


class AssessmentResult(models.Model):
    """One unit's score in a run: total, rank and the breakdown per indicator."""

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="results")
    unit_key = models.CharField(max_length=64)
    unit_label = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField()
    breakdown = models.JSONField(default=list)

    class Meta:
        ordering = ["run", "rank", "unit_label"]
        constraints = [models.UniqueConstraint(fields=["run", "unit_key"], name="assessment_result_once")]
        indexes = [models.Index(fields=["organisation", "run"])]

    def __str__(self) -> str:
        return f"{self.unit_label} {self.total}"
