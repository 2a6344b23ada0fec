"""Outbound webhook deliveries (回调投递): endpoints and one row per (endpoint, event)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel
from yiwang.core.protected import ProtectedCharField, ProtectedJSONField


class WebhookEndpoint(TimeStampedModel):
    """Where a higher app wants events sent. ``owner`` is the caller's key, e.g.
    ``sharing.subscription:<uuid>``; exchange never interprets it."""

    owner = models.CharField(max_length=200, db_index=True)
    url = models.URLField(max_length=500)
    secret = ProtectedCharField(max_length=200, help_text=_("签名密钥（加密存储）"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["owner", "created_at"]
        verbose_name = _("回调地址")
        verbose_name_plural = _("回调地址")

    def __str__(self) -> str:
        return f"{self.owner} → {self.url}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待投递")
    DELIVERING = "delivering", _("投递中")
    DELIVERED = "delivered", _("已送达")
    DEAD = "dead", _("死信")


class WebhookDelivery(TimeStampedModel):
    """One event for one endpoint. ``event_id`` is the idempotency key the receiver sees; a row in
    ``delivering`` whose lease has run out was claimed by a worker that died and is sent again."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=200)
    topic = models.CharField(max_length=100)
    payload = ProtectedJSONField(default=dict)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="exchange_delivery_event_unique"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="exchange_delivery_due")]
        verbose_name = _("回调投递")
        verbose_name_plural = _("回调投递")
