"""Share requests (共享申请) and the grants (授权) they give a consumer organisation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.sharing.models.catalogue import Resource


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    NARROWED = "narrowed", _("部分同意")
    REFUSED = "refused", _("不予同意")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已过期")


class ShareRequest(TimeStampedModel):
    """共享申请 A consumer organisation asks a provider for some fields of a resource, for a purpose,
    on a legal basis, for a period.  The provider answers before ``due_at`` (working days)."""

    consumer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="share_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="requests")
    resource_version = models.PositiveIntegerField(help_text=_("the published version asked for"))
    fields = models.JSONField(default=list, help_text=_("field names asked for"))
    purpose = models.TextField()
    legal_basis = models.TextField()
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True
    )
    due_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    granted_fields = models.JSONField(default=list, blank=True)
    granted_until = models.DateField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("共享申请")
        verbose_name_plural = _("共享申请")
        indexes = [
            models.Index(fields=["consumer", "status"]),
            models.Index(fields=["resource", "status"]),
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id} → {self.resource_id} ({self.status})"


class GrantStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    EXPIRED = "expired", _("已到期")
    REVOKED = "revoked", _("已撤销")


class Grant(TimeStampedModel):
    """授权 What a consumer organisation may read of a resource, from ``valid_from`` to
    ``valid_until`` (dates inclusive), at most ``quota_per_day`` calls a day (None: no quota)."""

    consumer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sharing_grants")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="grants")
    fields = models.JSONField(default=list)
    purpose = models.TextField()
    legal_basis = models.TextField(blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField()
    status = models.CharField(
        max_length=10, choices=GrantStatus.choices, default=GrantStatus.ACTIVE, db_index=True
    )
    from_request = models.ForeignKey(
        ShareRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="grants"
    )
    quota_per_day = models.PositiveIntegerField(null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("共享授权")
        verbose_name_plural = _("共享授权")
        indexes = [
            models.Index(fields=["consumer", "resource", "status"]),
            models.Index(fields=["status", "valid_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id} → {self.resource_id} ({self.status})"
