"""数据回流 What the province sends back to a city about the city's own items: ratings given on the
province's channels, the base items the city's list is checked against and the 四级四同 findings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.exchange.models import ExchangeNode


class BackflowType(models.TextChoices):
    RATING = "rating", _("省级渠道评价")
    BASE_ITEM = "base_item", _("省级基本目录事项")
    FINDING = "finding", _("四级四同核查结果")


class BackflowRecord(models.Model):
    """One back-flowed record, keyed by (sender, type, key); ``source_version`` orders the upserts."""

    node = models.ForeignKey(ExchangeNode, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=12, choices=BackflowType.choices)
    key = models.CharField(max_length=64, help_text=_("评价标识、基本编码或实施编码"))
    item_code = models.CharField(max_length=31, blank=True, db_index=True, help_text=_("本市实施编码"))
    title = models.CharField(max_length=200, blank=True)
    open_findings = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    source_version = models.CharField(max_length=60)
    package_id = models.CharField(max_length=36)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "record_type", "key"], name="federation_backflow_unique")
        ]
        indexes = [
            models.Index(fields=["record_type", "-received_at", "-id"], name="federation_backflow_recent")
        ]
        verbose_name = _("回流数据")
        verbose_name_plural = _("回流数据")

    def __str__(self) -> str:
        return f"{self.record_type} {self.key}"
