"""Log-in at the kiosk: one-time QR log-in requests and the nonces of ID-card reads already used."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel
from yiwang.kiosk.models.devices import KioskDevice


class KioskLoginRequest(TimeStampedModel):
    """扫码登录 A one-time log-in request shown as a QR code on a kiosk.

    The citizen, logged in on the mobile or the portal, opens the code's link and confirms; the
    kiosk (polling) then logs in as him and ``consumed_at`` is set.  Only the SHA-256 of the token
    in the link is kept.  A request lives two minutes and is used once."""

    device = models.ForeignKey(KioskDevice, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("扫码登录请求")
        verbose_name_plural = _("扫码登录请求")

    def __str__(self) -> str:
        return f"{self.device_id}@{self.created_at:%Y-%m-%d %H:%M:%S}"


class KioskCardNonce(models.Model):
    """A nonce of a signed ID-card read already used: the same read is never accepted twice."""

    device = models.ForeignKey(KioskDevice, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    used_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "nonce"], name="kiosk_card_nonce_unique"),
        ]

    def __str__(self) -> str:
        return self.nonce
