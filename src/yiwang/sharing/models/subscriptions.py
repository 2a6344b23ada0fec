"""Subscriptions (订阅): a consumer system asks to be told when records of a resource it holds a grant
for change; each change goes out as a webhook through the exchange app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel
from yiwang.sharing.models.catalogue import Resource
from yiwang.sharing.models.gateway import GatewayConsumer


class Subscription(TimeStampedModel):
    """订阅 ``consumer`` is told of changes of ``resource`` at ``endpoint`` (an exchange
    ``WebhookEndpoint`` holding the URL and the signing secret).  ``subject_digests``: only changes of
    these subjects (digests of ID numbers / credit codes / region codes); empty: every change."""

    consumer = models.ForeignKey(GatewayConsumer, on_delete=models.PROTECT, related_name="subscriptions")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="subscriptions")
    endpoint = models.ForeignKey("exchange.WebhookEndpoint", on_delete=models.PROTECT, related_name="+")
    subject_digests = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("变更订阅")
        verbose_name_plural = _("变更订阅")
        indexes = [models.Index(fields=["resource", "active"], name="sharing_subscription_resource")]

    def __str__(self) -> str:
        return f"{self.consumer_id} ⇐ {self.resource_id}"


class FanOutCursor(models.Model):
    """The last change-log sequence :func:`fan_out_changes` has sent on (one row per name)."""

    name = models.CharField(max_length=40, unique=True)
    sequence = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}@{self.sequence}"
