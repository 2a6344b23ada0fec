"""自助终端 A kiosk of a hall and the secret its local ID-card reader bridge signs with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel
from yiwang.hall.models import Hall


class KioskDevice(TimeStampedModel):
    """One self-service kiosk standing in a hall.

    The kiosk's browser is bound to this row by a signed token (the kiosk URL printed by
    ``manage.py kiosk_device``).  ``secret_encrypted`` is the reader bridge's HMAC key, encrypted at
    rest with the platform's key ring (``core.keyring.encrypt_text``); revoking the row
    (``revoked_at``) stops both the browser and the reader at their next request."""

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100, help_text=_("设备名称，如 一楼自助终端 1 号"))
    secret_encrypted = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["hall", "name"]
        verbose_name = _("自助终端")
        verbose_name_plural = _("自助终端")
        constraints = [
            models.UniqueConstraint(fields=["hall", "name"], name="kiosk_device_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
