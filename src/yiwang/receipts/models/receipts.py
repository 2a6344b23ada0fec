"""财政电子票据 Electronic fiscal receipts: one per paid order, one red-letter receipt (红冲) per
finished refund, and the serial counter of each bill code."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.core.protected import ProtectedCharField


class ReceiptKind(models.TextChoices):
    NORMAL = "normal", _("蓝字票据")
    RED_LETTER = "red_letter", _("红字票据")


class ReversalState(models.TextChoices):
    """冲红状态 of a normal receipt, from its red-letter receipts."""

    NONE = "none", _("正常")
    PARTIAL = "partial", _("部分红冲")
    FULL = "full", _("已红冲")


class ReceiptSequence(models.Model):
    """票据号码流水 The last serial issued under one bill code (票据代码)."""

    bill_code = models.CharField(max_length=8, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.bill_code}:{self.last}"


class Receipt(TimeStampedModel):
    """财政电子票据 A sealed receipt for the money a payment order collected (``normal``), or the
    red-letter receipt (红字票据, ``red_letter``) that reverses part or all of one after a refund: its
    lines and total are negative and ``original`` names the receipt it reverses."""

    kind = models.CharField(max_length=10, choices=ReceiptKind.choices, default=ReceiptKind.NORMAL)
    bill_code = models.CharField(max_length=8, help_text=_("票据代码"))
    serial = models.PositiveBigIntegerField(help_text=_("票据号码"))
    check_code = models.CharField(max_length=6, help_text=_("校验码"))
    public_code = models.CharField(max_length=24, unique=True)
    order = models.ForeignKey("payments.PaymentOrder", on_delete=models.PROTECT, related_name="receipts")
    refund = models.OneToOneField(
        "payments.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="red_letter_receipt"
    )
    original = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    payer_name = ProtectedCharField(max_length=200)  # personal data: masked for staff and in public
    payee = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="receipts")
    payee_name = models.CharField(max_length=200, help_text=_("执收单位"))
    order_code = models.CharField(max_length=20, help_text=_("缴款码"))
    reference = models.CharField(max_length=64, blank=True)
    subject_title = models.CharField(max_length=200, blank=True)
    lines = models.JSONField(default=list)
    total_fen = models.BigIntegerField()
    amount_in_words = models.CharField(max_length=120)
    issued_at = models.DateTimeField()
    document = models.FileField(upload_to="receipts/", blank=True)
    document_sha256 = models.CharField(max_length=64, blank=True)
    seal = models.ForeignKey("seals.Seal", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("财政电子票据")
        verbose_name_plural = _("财政电子票据")
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(kind="normal"), name="receipts_one_normal_per_order"
            ),
            models.UniqueConstraint(fields=["bill_code", "serial"], name="receipts_unique_number"),
        ]
        indexes = [
            models.Index(fields=["payer", "-issued_at"]),
            models.Index(fields=["payee", "-issued_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """票据代码-票据号码-校验码 as printed."""
        return f"{self.bill_code}-{self.serial:010d}-{self.check_code}"

    @property
    def is_red_letter(self) -> bool:
        return self.kind == ReceiptKind.RED_LETTER
