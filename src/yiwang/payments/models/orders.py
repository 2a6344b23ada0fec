"""缴款单 Payment orders, their events, refunds, gateway notifications and exceptions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.core.protected import ProtectedCharField


class OrderStatus(models.TextChoices):
    CREATED = "created", _("待缴费")
    PAYING = "paying", _("支付中")
    PAID = "paid", _("已缴费")
    CLOSED = "closed", _("已关闭")
    REFUNDING = "refunding", _("退款中")
    REFUNDED = "refunded", _("已退款")
    REFUND_FAILED = "refund_failed", _("退款失败")


OPEN_STATUSES = {OrderStatus.CREATED, OrderStatus.PAYING}
PAID_STATUSES = {OrderStatus.PAID, OrderStatus.REFUNDING, OrderStatus.REFUNDED, OrderStatus.REFUND_FAILED}


class PayChannel(models.TextChoices):
    PC = "pc", _("网上支付（电脑）")
    H5 = "h5", _("手机支付")
    QR = "qr", _("扫码支付")
    WINDOW_CASH = "cash", _("窗口现金")
    WINDOW_POS = "pos", _("窗口刷卡")


class PaymentCodeSequence(models.Model):
    """The last serial of the payment codes of one region in one year (缴款码流水)."""

    region_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="payments_unique_code_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.region_code}/{self.year}:{self.last}"


class PaymentOrder(TimeStampedModel):
    """缴款单 What one case (or another subject) owes: the lines, the total, the code and due date.

    ``subject_type``/``subject_id`` name what is paid for (``cases.Case`` and its public id; payments
    never imports cases), ``reference`` is shown to people (the case number)."""

    code = models.CharField(max_length=20, unique=True, help_text=_("缴款码"))
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64)
    reference = models.CharField(max_length=64, blank=True)
    subject_title = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="payment_orders")
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payment_orders"
    )
    payer_name = ProtectedCharField(max_length=200)  # personal data: masked for staff, reads logged
    lines = models.JSONField(default=list)
    amount_fen = models.PositiveBigIntegerField()
    paid_fen = models.PositiveBigIntegerField(default=0)
    refunded_fen = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=14, choices=OrderStatus.choices, default=OrderStatus.CREATED)
    due_date = models.DateField()
    expires_at = models.DateTimeField()
    gateway = models.CharField(max_length=20, blank=True)
    gateway_trade_no = models.CharField(max_length=64, blank=True)
    pay_url = models.CharField(max_length=500, blank=True)
    qr_text = models.CharField(max_length=500, blank=True)
    channel = models.CharField(max_length=6, choices=PayChannel.choices, blank=True)
    receipt_no = models.CharField(max_length=40, blank=True, help_text=_("窗口收款票据号"))
    paying_since = models.DateTimeField(null=True, blank=True)
    last_queried_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    context = models.JSONField(default=dict, blank=True, help_text=_("what the subject needs back"))
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("缴款单")
        verbose_name_plural = _("缴款单")
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["organisation", "-created_at"]),
            models.Index(fields=["payer", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def refundable_fen(self) -> int:
        return max(0, self.paid_fen - self.refunded_fen - self.refunding_fen())

    def refunding_fen(self) -> int:
        return sum(r.amount_fen for r in self.refunds.all() if r.status == RefundStatus.REFUNDING)


class PaymentEventType(models.TextChoices):
    CREATED = "created", _("生成缴款单")
    PAYING = "paying", _("发起支付")
    PAID = "paid", _("缴费成功")
    PAY_FAILED = "pay_failed", _("支付失败")
    CLOSED = "closed", _("关闭")
    REFUND_REQUESTED = "refund_requested", _("申请退款")
    REFUNDED = "refunded", _("退款成功")
    REFUND_FAILED = "refund_failed", _("退款失败")
    NOTIFICATION_IGNORED = "notification_ignored", _("通知已记录未处理")
    EXCEPTION = "exception", _("异常")


class PaymentEvent(models.Model):
    """One transition (or noted fact) of an order: immutable."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=24, choices=PaymentEventType.choices)
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=20, blank=True, help_text=_("web / api / gateway / job / window"))
    amount_fen = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["order", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.event_type}"


class RefundStatus(models.TextChoices):
    REFUNDING = "refunding", _("退款中")
    REFUNDED = "refunded", _("已退款")
    FAILED = "failed", _("退款失败")


class Refund(TimeStampedModel):
    """退款 A full or partial refund of a paid order."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="refunds")
    refund_no = models.CharField(max_length=32, unique=True)
    amount_fen = models.PositiveBigIntegerField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.REFUNDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.refund_no


class NotificationOutcome(models.TextChoices):
    APPLIED = "applied", _("已处理")
    IGNORED = "ignored", _("已记录")
    REFUSED = "refused", _("已拒绝")


class GatewayNotification(models.Model):
    """A gateway notification as received (idempotent by ``notification_id``)."""

    notification_id = models.CharField(max_length=64, unique=True)
    order = models.ForeignKey(
        PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(max_length=10)
    status = models.CharField(max_length=16)
    amount_fen = models.BigIntegerField(null=True)
    body = models.JSONField(default=dict)
    outcome = models.CharField(max_length=8, choices=NotificationOutcome.choices)
    outcome_code = models.CharField(max_length=40, blank=True)
    received_at = models.DateTimeField()
    # the nonce of the delivery that was applied: a replay of that very request is refused by it
    # (later deliveries' nonces go to GatewayNonce), one insert less on the paying path
    nonce = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["order", "received_at"])]

    def __str__(self) -> str:
        return self.notification_id


class GatewayNonce(models.Model):
    """A nonce seen on a signed gateway message (refused again for 600 s)."""

    nonce = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.nonce


class ExceptionKind(models.TextChoices):
    PAID_AFTER_CLOSE = "paid_after_close", _("关闭后到账")
    DUPLICATE_PAYMENT = "duplicate_payment", _("重复缴费")
    AMOUNT_MISMATCH = "amount_mismatch", _("金额不符")


class PaymentException(TimeStampedModel):
    """对账异常 A money fact that needs finance's attention (kept until resolved)."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="exceptions")
    kind = models.CharField(max_length=20, choices=ExceptionKind.choices)
    amount_fen = models.BigIntegerField(default=0)
    detail = models.JSONField(default=dict, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
