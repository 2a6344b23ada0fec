"""变更日志 Every change applied to a base, in order: what subscriptions fan out."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation


class BaseKind(models.TextChoices):
    POPULATION = "population", _("人口基础库")
    LEGAL_PERSON = "legal_person", _("法人基础库")
    GEOGRAPHY = "geography", _("空间地理基础库")


class BaseChange(models.Model):
    """One created or changed record.  ``sequence`` increases with every row written; a reader that
    remembers the last sequence it saw reads on with ``sequence__gt`` (rows of a transaction still open
    may appear later with a lower sequence: readers should lag a few seconds behind ``at``).
    ``subject_digest`` is the digest of the record's key (ID number, credit code or region code,
    ``protected_digest(key, "code")``), so the log holds no personal data."""

    sequence = models.BigAutoField(primary_key=True)
    base = models.CharField(max_length=16, choices=BaseKind.choices)
    subject_digest = models.CharField(max_length=64, db_index=True)
    fields = models.JSONField(default=list)
    created = models.BooleanField(default=False)
    version = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    batch_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("基础库变更")
        verbose_name_plural = _("基础库变更")

    def __str__(self) -> str:
        return f"{self.base}#{self.sequence}"
