"""Archive packages (电子归档) and GB/T 39046 dataset exports (数据集上报) of cases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.cases.models.core import Case
from yiwang.core.models import TimeStampedModel


class RetentionPeriod(models.TextChoices):
    """保管期限 (DA/T 22 style: 永久 / 定期 30 年 / 定期 10 年)."""

    PERMANENT = "permanent", _("永久")
    YEARS_30 = "30y", _("30年")
    YEARS_10 = "10y", _("10年")


RETENTION_YEARS: dict[str, int | None] = {
    RetentionPeriod.PERMANENT: None,
    RetentionPeriod.YEARS_30: 30,
    RetentionPeriod.YEARS_10: 10,
}


class ArchivePackage(TimeStampedModel):
    """归档包 A closed case frozen as a zip: manifest of every entry with SM3 and SHA-256 hashes.

    ``manifest_sm3`` / ``manifest_sha256`` are the package hash: computed over the canonical JSON
    of ``manifest`` (sorted keys, no spaces, UTF-8).  ``zip_sm3`` / ``zip_sha256`` are the hashes of
    the stored zip file itself.  An event recorded after closing (e.g. the handover of the result)
    gives a new ``version`` whose manifest names the previous package hash (``previous_sm3``);
    earlier versions are kept and still verify.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="archive_packages")
    version = models.PositiveIntegerField(default=1)
    last_event_sequence = models.PositiveIntegerField(default=0)
    format = models.CharField(max_length=40, default="yiwang-archive/1")
    manifest = models.JSONField()
    manifest_sm3 = models.CharField(max_length=64)
    manifest_sha256 = models.CharField(max_length=64)
    package_file = models.FileField(upload_to="archives/%Y/%m/", max_length=200)
    zip_sm3 = models.CharField(max_length=64)
    zip_sha256 = models.CharField(max_length=64)
    entry_count = models.PositiveIntegerField()
    retention = models.CharField(max_length=12, choices=RetentionPeriod.choices)
    disposal_date = models.DateField(null=True, blank=True, help_text=_("到期鉴定/销毁日期；永久保管为空"))
    archived_at = models.DateTimeField()
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_verification_ok = models.BooleanField(null=True, blank=True)
    last_verification_problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-archived_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="cases_unique_archive_version")
        ]
        verbose_name = _("归档包")
        verbose_name_plural = _("归档包")

    def __str__(self) -> str:
        return f"归档 {self.case_id} v{self.version} {self.manifest_sm3[:12]}"


class DatasetExportCursor(models.Model):
    """上报游标 Where the last export to one upper-level platform stopped: (event time, event id)."""

    target = models.CharField(max_length=50, unique=True)
    last_occurred_at = models.DateTimeField(null=True, blank=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.target}@{self.last_occurred_at}#{self.last_event_id}"


class DatasetExport(TimeStampedModel):
    """数据集上报记录 One GB/T 39046 dataset export: who, when, for which platform, counts and hashes."""

    target = models.CharField(max_length=50, db_index=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counts = models.JSONField(default=dict)
    record_count = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    sm3 = models.CharField(max_length=64)
    from_cursor = models.JSONField(default=dict)
    to_cursor = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("数据集上报记录")
        verbose_name_plural = _("数据集上报记录")
