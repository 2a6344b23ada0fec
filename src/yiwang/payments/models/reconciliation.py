"""对账 Daily reconciliation against the gateway's statement file, and its corrections (差错处理)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.payments.models.orders import PaymentOrder, Refund


class RunStatus(models.TextChoices):
    RUNNING = "running", _("对账中")
    DONE = "done", _("已完成")
    REFUSED = "refused", _("对账单验签失败")
    FAILED = "failed", _("获取对账单失败")


class Outcome(models.TextChoices):
    MATCHED = "matched", _("一致")
    MISSING_OURS = "missing_ours", _("本方缺失")  # in the statement, not paid with us
    MISSING_THEIRS = "missing_theirs", _("对方缺失")  # paid with us, not in the statement
    AMOUNT_MISMATCH = "amount_mismatch", _("金额不符")
    DUPLICATE = "duplicate", _("重复")


DISCREPANCIES = (Outcome.MISSING_OURS, Outcome.MISSING_THEIRS, Outcome.AMOUNT_MISMATCH, Outcome.DUPLICATE)


class ItemKind(models.TextChoices):
    PAY = "pay", _("缴费")
    REFUND = "refund", _("退款")


class Resolution(models.TextChoices):
    NONE = "none", _("无需处理")  # matched
    OPEN = "open", _("待处理")
    PROPOSED = "proposed", _("待复核")
    RESOLVED = "resolved", _("已处理")


class ReconciliationRun(TimeStampedModel):
    """对账批次 The reconciliation of one gateway's statement of one day (one row per day and gateway;
    a re-run replaces its open items and keeps the handled ones)."""

    day = models.DateField()
    gateway = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    statement_sha256 = models.CharField(max_length=64, blank=True)
    signature_verified = models.BooleanField(default=False)
    statement_lines = models.PositiveIntegerField(default=0)
    statement_pay_fen = models.BigIntegerField(default=0)
    statement_refund_fen = models.BigIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    missing_ours_count = models.PositiveIntegerField(default=0)
    missing_theirs_count = models.PositiveIntegerField(default=0)
    amount_mismatch_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    open_count = models.PositiveIntegerField(default=0)
    runs = models.PositiveIntegerField(default=0, help_text=_("how many times it was run"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-day", "gateway"]
        verbose_name = _("对账批次")
        verbose_name_plural = _("对账批次")
        constraints = [
            models.UniqueConstraint(fields=["day", "gateway"], name="payments_unique_reconciliation_day")
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.day}"

    def counts(self) -> dict[str, int]:
        return {outcome: getattr(self, f"{outcome}_count") for outcome in Outcome.values}


class ReconciliationItem(models.Model):
    """对账明细 One outcome of a run: a statement line (or our payment/refund) and how it compares."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="items")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order_no = models.CharField(max_length=64)
    kind = models.CharField(max_length=6, choices=ItemKind.choices, default=ItemKind.PAY)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    statement_fen = models.BigIntegerField(null=True, blank=True)
    our_fen = models.BigIntegerField(null=True, blank=True)
    line_count = models.PositiveSmallIntegerField(default=0, help_text=_("lines in the statement"))
    gateway_trade_no = models.CharField(max_length=64, blank=True)
    order = models.ForeignKey(
        PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="reconciliation_items"
    )
    refund = models.ForeignKey(Refund, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    resolution = models.CharField(max_length=10, choices=Resolution.choices, default=Resolution.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["run", "outcome"]),
            models.Index(fields=["run", "organisation"]),
            models.Index(fields=["run", "resolution"]),
        ]

    def __str__(self) -> str:
        return f"{self.order_no}:{self.outcome}"


class CorrectionAction(models.TextChoices):
    MARK_PAID = "mark_paid", _("补记缴费")  # missing_ours: the gateway says paid
    REFUND = "refund", _("退还重复款")  # duplicate: pay the extra money back
    WRITE_OFF = "write_off", _("核销说明")  # any discrepancy: explained, nothing to change


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待复核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class ReconciliationCorrection(TimeStampedModel):
    """差错处理 A correction a finance officer proposes for an item and another approves (maker-checker)."""

    # DO_NOTHING: items with a correction are never deleted by a re-run (so fast deletes stay possible)
    item = models.ForeignKey(ReconciliationItem, on_delete=models.DO_NOTHING, related_name="corrections")
    action = models.CharField(max_length=10, choices=CorrectionAction.choices)
    amount_fen = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("差错处理")
        verbose_name_plural = _("差错处理")

    def __str__(self) -> str:
        return f"{self.item_id}:{self.action}:{self.status}"
