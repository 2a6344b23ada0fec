"""The sharing gateway (共享网关): consumer systems with their credentials, the log of every call, the
daily usage counters behind the quotas and the nonces of signed requests (replay protection)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.core.protected import ProtectedCharField
from yiwang.sharing.models.catalogue import Resource


class GatewayConsumer(TimeStampedModel):
    """调用方系统 A system of a department that calls the gateway.  It authenticates with an OAuth2
    client-credentials token of ``application`` (the platform's own provider) and/or signs its
    requests with ``hmac_secret`` (HMAC-SM3) or the SM2 key whose public half is ``sm2_public_key``.
    ``owner`` is the data official who registered it: the account the calls are recorded under."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="gateway_consumers")
    name = models.CharField(max_length=200)
    application = models.OneToOneField(
        "oauth2_provider.Application",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gateway_consumer",
    )
    hmac_secret = ProtectedCharField(max_length=200, blank=True, default="")
    sm2_public_key = models.CharField(max_length=130, blank=True, default="")
    daily_quota = models.PositiveIntegerField(null=True, blank=True, help_text=_("每日调用上限（空为不限）"))
    rate_per_minute = models.PositiveIntegerField(default=600, help_text=_("每分钟调用上限"))
    active = models.BooleanField(default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("网关调用方")
        verbose_name_plural = _("网关调用方")

    def __str__(self) -> str:
        return self.name


class CallResult(models.TextChoices):
    OK = "ok", _("成功")
    REFUSED = "refused", _("拒绝")
    ERROR = "error", _("错误")
    NOT_FOUND = "not_found", _("查无结果")


class CallChannel(models.TextChoices):
    API = "api", _("接口")
    INTERNAL = "internal", _("平台内部")


class GatewayCall(models.Model):
    """调用日志 One gateway call, refused ones included.  The subject is kept as a digest
    (``protected_digest(subject, "code")``, the same as the bases' change log), never in clear;
    ``subject_user`` is the subject's account when he is registered (我的数据被谁使用)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField(default=timezone.now)
    consumer = models.ForeignKey(
        GatewayConsumer, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    resource_code = models.CharField(max_length=40, blank=True)
    fields = models.JSONField(default=list, blank=True)
    subject_digest = models.CharField(max_length=64, blank=True, db_index=True)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=300, blank=True)
    case_number = models.CharField(max_length=64, blank=True)
    consent = models.ForeignKey(
        "sharing.PrefillConsent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calls",
        help_text=_("申请人授权（无办件编号时调取个人信息的依据）"),
    )
    channel = models.CharField(max_length=10, choices=CallChannel.choices, default=CallChannel.API)
    result = models.CharField(max_length=10, choices=CallResult.choices)
    status = models.PositiveSmallIntegerField(default=200)
    error_code = models.CharField(max_length=60, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("网关调用日志")
        verbose_name_plural = _("网关调用日志")
        indexes = [
            models.Index(fields=["consumer", "-at"], name="sharing_call_consumer_at"),
            models.Index(fields=["resource", "-at"], name="sharing_call_resource_at"),
            models.Index(fields=["subject_user", "-at"], name="sharing_call_subject_at"),
            models.Index(fields=["at"], name="sharing_call_at"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_code} {self.result} {self.at:%Y-%m-%d %H:%M:%S}"


class GatewayUsage(models.Model):
    """Calls let through per consumer and day, in total (``resource`` null) and per resource: the
    counters the daily quotas are taken from with a conditional ``UPDATE`` (exact under concurrency)."""

    consumer = models.ForeignKey(GatewayConsumer, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "resource", "day"], name="sharing_usage_unique_resource"
            ),
            models.UniqueConstraint(
                fields=["consumer", "day"],
                condition=models.Q(resource__isnull=True),
                name="sharing_usage_unique_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id}/{self.resource_id or '*'} {self.day}: {self.count}"


class GatewayNonce(models.Model):
    """A nonce a signed request used: the same nonce again within the window is a replay."""

    consumer = models.ForeignKey(GatewayConsumer, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "nonce"], name="sharing_nonce_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id}:{self.nonce}"
