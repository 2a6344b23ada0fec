"""Display keys of the big screen (大屏显示密钥)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel


class DisplayKey(TimeStampedModel):
    """A screen device of the hall (e.g. the lobby's wall screen) allowed to show /screen/ without a
    login.  The device opens ``/screen/?key=<signed token>``; the token names this row, so revoking
    the row (``revoked_at``) stops the device at its next refresh."""

    name = models.CharField(max_length=100, help_text=_("设备名称，如 一楼大厅大屏"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("大屏显示密钥")
        verbose_name_plural = _("大屏显示密钥")

    def __str__(self) -> str:
        return self.name
