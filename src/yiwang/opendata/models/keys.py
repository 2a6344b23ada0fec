"""Bulk-access keys (开放数据接口密钥): issued to a registered user, stored as a hash, counted per day."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OpenDataKey(models.Model):
    """A key shown once at issue; only ``prefix`` (to find it) and ``key_hash`` are kept."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="open_data_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    daily_quota = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("开放数据密钥")
        verbose_name_plural = _("开放数据密钥")

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class KeyUsage(models.Model):
    """下载计数 per key and day (the daily quota is checked against it)."""

    key = models.ForeignKey(OpenDataKey, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="opendata_unique_key_day")]

    def __str__(self) -> str:
        return f"{self.key_id} {self.day}: {self.count}"
