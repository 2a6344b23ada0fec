"""Exchange packages (交换包): the ones this node sends and the ones it receives, kept apart by direction."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel
from yiwang.exchange.models.nodes import ExchangeNode


class DeliveryMode(models.TextChoices):
    PUSH = "push", _("推送")
    PULL = "pull", _("待对方拉取")


class OutgoingState(models.TextChoices):
    READY = "ready", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已送达待回执")
    APPLIED = "applied", _("对方已处理")
    REFUSED = "refused", _("对方拒收")
    FAILED = "failed", _("发送失败")


class IncomingState(models.TextChoices):
    RECEIVING = "receiving", _("接收中")
    WAITING = "waiting", _("已校验待按序处理")
    APPLIED = "applied", _("已处理")
    REFUSED = "refused", _("已拒收")


class OutgoingPackage(TimeStampedModel):
    """A package built here for one receiver. ``public_id`` is the package id of its manifest."""

    receiver = models.ForeignKey(ExchangeNode, on_delete=models.PROTECT, related_name="outgoing_packages")
    kind = models.CharField(max_length=100)
    sequence = models.PositiveBigIntegerField()
    mode = models.CharField(max_length=4, choices=DeliveryMode.choices, default=DeliveryMode.PUSH)
    archive = models.FileField(upload_to="exchange/out/%Y/%m/", max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=OutgoingState.choices, default=OutgoingState.READY)
    bytes_confirmed = models.PositiveBigIntegerField(default=0, help_text=_("对方确认已收到的字节数"))
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    receipt = models.JSONField(null=True, blank=True)
    receipt_signature = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["receiver", "kind", "sequence"], name="exchange_out_sequence_unique"
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="exchange_out_due")]
        verbose_name = _("发出的交换包")
        verbose_name_plural = _("发出的交换包")


class IncomingPackage(TimeStampedModel):
    """A package received (pushed to us or pulled by us). ``public_id`` is the sender's package id, so
    one package is stored and applied once however often it arrives."""

    sender = models.ForeignKey(ExchangeNode, on_delete=models.PROTECT, related_name="incoming_packages")
    kind = models.CharField(max_length=100)
    sequence = models.PositiveBigIntegerField()
    mode = models.CharField(max_length=4, choices=DeliveryMode.choices, default=DeliveryMode.PUSH)
    archive = models.FileField(upload_to="exchange/in/%Y/%m/", max_length=200, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    received_bytes = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=IncomingState.choices, default=IncomingState.RECEIVING)
    manifest = models.JSONField(null=True, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(null=True, blank=True, help_text=_("处理函数的返回值"))
    receipt = models.JSONField(null=True, blank=True)
    receipt_signature = models.CharField(max_length=300, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A refused package may be sent again, corrected, under a new id and the same sequence.
            models.UniqueConstraint(
                fields=["sender", "kind", "sequence"],
                condition=~Q(state="refused"),
                name="exchange_in_sequence_unique",
            ),
        ]
        indexes = [models.Index(fields=["sender", "kind", "state", "sequence"], name="exchange_in_stream")]
        verbose_name = _("接收的交换包")
        verbose_name_plural = _("接收的交换包")
