"""授权调取共享数据 The applicant's explicit consent that the platform fetch his personal data from the
gateway to prefill a form before a case number exists (a consent is the call's legal basis instead of the
case).  It names the applicant, the item's purpose and the resources, and lapses after a short while."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PrefillConsent(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=300)
    resource_codes = models.JSONField(default=list, blank=True, help_text=_("空为该用途涉及的全部资源"))
    item_ref = models.CharField(max_length=64, blank=True, help_text=_("事项的公开编号"))
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "-granted_at"], name="sharing_consent_user_at")]
        verbose_name = _("预填授权")
        verbose_name_plural = _("预填授权")

    def __str__(self) -> str:
        return f"{self.purpose} ({self.granted_at:%Y-%m-%d %H:%M})"

    def covers(self, resource_code: str, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return moment < self.expires_at and (not self.resource_codes or resource_code in self.resource_codes)
