"""暂存材料 Files an applicant chose on an application form that was refused (a missing field, a
wrong value): held server-side for the form's draft so the next submit needs no new upload."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel


class HeldUpload(TimeStampedModel):
    """One checked file held for (owner, draft, slot) until the application is filed or it expires.

    ``draft`` is the form's random draft key (the application's idempotency key); ``slot`` names the
    material on that form (a material public id, or a bundle material key)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    draft = models.CharField(max_length=100)
    slot = models.CharField(max_length=200)
    file = models.FileField(upload_to="held/%Y/%m/%d/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("暂存材料")
        verbose_name_plural = _("暂存材料")
        indexes = [models.Index(fields=["owner", "draft"], name="cases_held_owner_draft")]

    def __str__(self) -> str:
        return f"{self.draft}:{self.slot}:{self.original_name}"
