"""省级汇聚 What the province holds about its cities: cases (from GB/T 39046 datasets), the licence
index, 好差评 ratings and the implementation lists with their 四级四同 findings.  One row per (child
node, natural key), upserted by the exchange handlers; ``source_version`` orders the upserts (an older
record never overwrites a newer one)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.exchange.models import ExchangeNode


class FederatedRecord(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    node = models.ForeignKey(ExchangeNode, on_delete=models.PROTECT, related_name="+")
    source_version = models.CharField(
        max_length=60, help_text=_("来源记录的变更时间与序号，用于按序覆盖（ISO 时间|序号）")
    )
    package_id = models.CharField(max_length=36, help_text=_("最近一次更新它的交换包"))
    received_at = models.DateTimeField()

    class Meta:
        abstract = True


class FederatedCase(FederatedRecord):
    """A city's case as its datasets describe it (申请人 masked)."""

    number = models.CharField(max_length=50)
    item_code = models.CharField(max_length=31, db_index=True, help_text=_("实施编码"))
    item_name = models.CharField(max_length=200)
    base_code = models.CharField(max_length=12, blank=True)
    department = models.CharField(max_length=200)
    applicant_masked = models.CharField(max_length=200)
    status = models.CharField(max_length=30)
    channel = models.CharField(max_length=10, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    last_dataset = models.CharField(max_length=30, blank=True, help_text=_("最近一条数据集记录的类别"))
    last_event_at = models.DateTimeField(null=True, blank=True)
    datasets = models.JSONField(default=dict, help_text=_("各数据集最近一条记录（GB/T 39046）"))
    events = models.JSONField(default=list, help_text=_("办理过程记录（按环节序号）"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "number"], name="federation_case_unique")]
        indexes = [models.Index(fields=["node", "-last_event_at", "-id"], name="federation_case_recent")]
        verbose_name = _("汇聚办件")
        verbose_name_plural = _("汇聚办件")

    def __str__(self) -> str:
        return self.number


class FederatedLicence(FederatedRecord):
    """证照索引 One licence issued in a city: no plain ID number, only masked and SM3-hashed."""

    identifier = models.CharField(max_length=120, help_text=_("电子证照标识"))
    serial = models.CharField(max_length=40, blank=True)
    type_code = models.CharField(max_length=40)
    type_name = models.CharField(max_length=100)
    holder_masked = models.CharField(max_length=200)
    holder_code_masked = models.CharField(max_length=40)
    holder_code_sm3 = models.CharField(max_length=64, db_index=True)
    issuer_name = models.CharField(max_length=200)
    issuer_code = models.CharField(max_length=18)
    region_code = models.CharField(max_length=12, blank=True)
    issued_on = models.DateField()
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12)
    document_sha256 = models.CharField(max_length=64, blank=True)
    record_sm3 = models.CharField(max_length=64, help_text=_("证照数据记录的 SM3 摘要"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["node", "identifier"], name="federation_licence_unique")
        ]
        indexes = [models.Index(fields=["identifier"], name="federation_licence_ident")]
        verbose_name = _("汇聚证照索引")
        verbose_name_plural = _("汇聚证照索引")

    def __str__(self) -> str:
        return self.identifier


class FederatedRating(FederatedRecord):
    """好差评 One rating of a city's service, in the fields of the national 好差评 interface."""

    rating_id = models.CharField(max_length=36, help_text=_("评价在来源平台的标识"))
    item_code = models.CharField(max_length=31, blank=True, db_index=True)
    item_name = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    case_number = models.CharField(max_length=50, blank=True)
    channel = models.CharField(max_length=12)
    level = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list, help_text=_("评价维度（原因代码）"))
    comment = models.CharField(max_length=500, blank=True)
    is_default = models.BooleanField(default=False)
    rated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "rating_id"], name="federation_rating_unique")]
        indexes = [models.Index(fields=["node", "-rated_at", "-id"], name="federation_rating_recent")]
        verbose_name = _("汇聚评价")
        verbose_name_plural = _("汇聚评价")

    def __str__(self) -> str:
        return f"{self.item_code} {self.level}"


class FederatedCatalogueItem(FederatedRecord):
    """A city's implementation item (实施清单), checked against the province's base items."""

    implementation_code = models.CharField(max_length=31)
    base_code = models.CharField(max_length=12, db_index=True)
    name = models.CharField(max_length=200)
    item_type = models.CharField(max_length=2)
    legal_basis = models.TextField()
    statutory_limit_days = models.PositiveIntegerField()
    committed_limit_days = models.PositiveIntegerField()
    fee_required = models.BooleanField(default=False)
    tongban_range = models.CharField(max_length=1, blank=True)
    department = models.CharField(max_length=200, blank=True)
    item_status = models.CharField(max_length=12)
    version = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    open_findings = models.PositiveIntegerField(default=0)
    backflow_due = models.BooleanField(default=True, help_text=_("核查结果待回流给下级"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["node", "implementation_code"], name="federation_catalogue_unique"
            )
        ]
        verbose_name = _("汇聚实施清单事项")
        verbose_name_plural = _("汇聚实施清单事项")

    def __str__(self) -> str:
        return f"{self.implementation_code} {self.name}"


class ConsistencyFinding(models.Model):
    """四级四同 One difference between a city's item and the province's base item (open until the
    item is pushed again without it)."""

    item = models.ForeignKey(FederatedCatalogueItem, on_delete=models.CASCADE, related_name="findings")
    node = models.ForeignKey(ExchangeNode, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=30)
    expected = models.TextField(blank=True)
    actual = models.TextField(blank=True)
    found_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["node", "resolved_at", "-id"], name="federation_finding_open")]
        verbose_name = _("四级四同核查发现")
        verbose_name_plural = _("四级四同核查发现")

    def __str__(self) -> str:
        return f"{self.item_id} {self.field}"
