"""The gateway's own records: orders, refunds, notifications with their attempts, statements, nonces."""

from __future__ import annotations

import uuid

from django.db import models


class Order(models.Model):
    """缴款订单 A payment order the merchant (the platform) placed."""

    class Status(models.TextChoices):
        PAYING = "paying", "待支付"
        PAID = "paid", "已支付"
        CLOSED = "closed", "已关闭"
        FAILED = "failed", "支付失败"

    order_no = models.CharField(max_length=64, unique=True)
    gateway_trade_no = models.CharField(max_length=22, unique=True)
    merchant_id = models.CharField(max_length=64)
    amount_fen = models.BigIntegerField()
    subject = models.CharField(max_length=128)
    notify_url = models.CharField(max_length=500)
    return_url = models.CharField(max_length=500)
    expire_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PAYING)
    channel = models.CharField(max_length=4, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "expire_at"]), models.Index(fields=["paid_at"])]

    def __str__(self) -> str:
        return self.order_no


class Refund(models.Model):
    """退款 A refund of (part of) a paid order; settled asynchronously."""

    class Status(models.TextChoices):
        REFUNDING = "refunding", "退款中"
        REFUNDED = "refunded", "已退款"
        FAILED = "failed", "退款失败"

    refund_no = models.CharField(max_length=64, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.BigIntegerField()
    reason = models.CharField(max_length=200, blank=True)
    notify_url = models.CharField(max_length=500)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.REFUNDING)
    settle_at = models.DateTimeField()
    refunded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "settle_at"]), models.Index(fields=["refunded_at"])]

    def __str__(self) -> str:
        return self.refund_no


class Notification(models.Model):
    """异步通知 One notification to send (a duplicate copy is a row of its own, same notification_id)."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        DELIVERED = "delivered", "已送达"
        DROPPED = "dropped", "模拟丢弃"
        GIVEN_UP = "given_up", "放弃重试"

    notification_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="notifications")
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(max_length=8)  # payment | refund
    status = models.CharField(max_length=13)  # paid | failed | refunded | refund_failed
    body = models.TextField()  # canonical JSON, sent as is
    notify_url = models.CharField(max_length=500)
    state = models.CharField(max_length=9, choices=State.choices, default=State.PENDING)
    duplicate = models.BooleanField(default=False)
    held = models.BooleanField(default=False)  # held back by the "reorder" simulation
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} {self.notification_id}"


class NotificationAttempt(models.Model):
    """通知尝试 One HTTP attempt of a notification and what came back."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    http_status = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=200, blank=True)
    delivered = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.notification_id} #{self.number}"


class Behaviour(models.Model):
    """模拟行为 How the simulation misbehaves for one order (set by the control endpoint)."""

    order_no = models.CharField(max_length=64, unique=True)
    delay_s = models.FloatField(default=0)
    duplicate = models.PositiveSmallIntegerField(default=0)
    drop = models.BooleanField(default=False)
    reorder = models.BooleanField(default=False)
    fail_refund = models.BooleanField(default=False)
    statement_omit = models.BooleanField(default=False)
    statement_duplicate = models.BooleanField(default=False)
    statement_amount_fen = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.order_no


class Statement(models.Model):
    """对账单 The statement file of a past day, kept as first served."""

    trade_date = models.DateField(unique=True)
    content = models.TextField()
    generated_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.trade_date.isoformat()


class SeenNonce(models.Model):
    """A request nonce seen in the last 600 s (replay protection)."""

    nonce = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.nonce
