"""Datasets (开放数据集) published from open resources, and their generated distributions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation
from yiwang.sharing.models import Resource, UpdateCycle


class DatasetSource(models.TextChoices):
    """Where the rows of a dataset come from (never a table of persons)."""

    GEOGRAPHY = "geography", _("空间地理基础库：行政区划")
    LEGAL_PERSON_STATS = "legal_person_stats", _("法人基础库：按区划、行业、状态统计")
    CATALOGUE = "catalogue", _("政务信息资源目录")


class DatasetTheme(models.TextChoices):
    ECONOMY = "economy", _("经济建设")
    CREDIT = "credit", _("信用服务")
    GEOGRAPHY = "geography", _("地理空间")
    GOVERNMENT = "government", _("机构团体")
    SOCIETY = "society", _("社会民生")


class DatasetLicence(models.TextChoices):
    CC_BY_4 = "cc-by-4.0", _("CC BY 4.0 署名")
    GOV_OPEN = "gov-open", _("政府数据开放许可")


#: The licence documents DCAT-AP links to.
LICENCE_URLS = {
    DatasetLicence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    DatasetLicence.GOV_OPEN: "/open-data/licence/",
}


class DatasetStatus(models.TextChoices):
    PUBLISHED = "published", _("已开放")
    WITHDRAWN = "withdrawn", _("已撤回")


class Dataset(models.Model):
    """数据集 What the portal lists: one open resource's data, described for the public."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="open_datasets")
    source = models.CharField(max_length=24, choices=DatasetSource.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    keywords = models.JSONField(default=list, blank=True)
    theme = models.CharField(max_length=12, choices=DatasetTheme.choices)
    publisher = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="open_datasets")
    licence = models.CharField(max_length=12, choices=DatasetLicence.choices, default=DatasetLicence.CC_BY_4)
    licence_note = models.TextField(blank=True, help_text=_("有条件开放的使用条件"))
    update_frequency = models.CharField(
        max_length=12, choices=UpdateCycle.choices, default=UpdateCycle.MONTHLY
    )
    status = models.CharField(
        max_length=10, choices=DatasetStatus.choices, default=DatasetStatus.PUBLISHED, db_index=True
    )
    withdraw_reason = models.TextField(blank=True)
    search_text = models.TextField(blank=True, help_text=_("分词与拼音，检索用"))
    issued = models.DateTimeField(default=timezone.now)
    modified = models.DateTimeField(default=timezone.now)
    download_count = models.PositiveBigIntegerField(default=0)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-modified", "pk"]
        verbose_name = _("开放数据集")
        verbose_name_plural = _("开放数据集")
        indexes = [models.Index(fields=["status", "theme"])]

    def __str__(self) -> str:
        return self.title


class DistributionFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    XLSX = "xlsx", "XLSX"


MEDIA_TYPES = {
    DistributionFormat.CSV: "text/csv",
    DistributionFormat.JSON: "application/json",
    DistributionFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Distribution(models.Model):
    """分发 One downloadable file of a dataset, generated from the provider's data."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions")
    format = models.CharField(max_length=4, choices=DistributionFormat.choices)
    file = models.FileField(upload_to="opendata/%Y/%m/", blank=True)
    byte_size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    columns = models.JSONField(default=list, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    download_count = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["dataset", "format"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "format"], name="opendata_unique_distribution")
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}.{self.format}"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[DistributionFormat(self.format)]
