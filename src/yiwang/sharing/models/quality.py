"""Data-quality tickets (数据纠错): a consumer department's staff, or a citizen about his own record,
reports a wrong value of a shared resource; the provider accepts it and fixes it (or rejects it with
a reason) within a deadline in working days.

The subject (ID number or credit code) is kept only as ``protected_digest(key, "code")`` — the same
digest the bases' change log uses, so a fix can be matched with the feed batch that carried it —
and a masked form to show.  The reported and claimed values are encrypted at rest."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.core.protected import ProtectedJSONField, ProtectedTextField
from yiwang.sharing.models.catalogue import Resource


class TicketStatus(models.TextChoices):
    OPEN = "open", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    FIXED = "fixed", _("已更正")
    REJECTED = "rejected", _("不予更正")


class ReporterKind(models.TextChoices):
    STAFF = "staff", _("使用部门")
    APPLICANT = "applicant", _("本人")


OPEN_STATUSES = (TicketStatus.OPEN, TicketStatus.ACCEPTED)


class QualityTicket(TimeStampedModel):
    """纠错工单 One report of wrong data in one subject's record of a resource."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="quality_tickets")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="quality_tickets")
    subject_digest = models.CharField(max_length=64, blank=True, db_index=True)
    subject_masked = models.CharField(max_length=40, blank=True)
    fields = models.JSONField(default=list)
    reported_value = ProtectedJSONField(default=dict, blank=True)
    claimed_value = ProtectedJSONField(default=dict)
    description = ProtectedTextField(blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reporter_kind = models.CharField(max_length=10, choices=ReporterKind.choices)
    reporter_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN, db_index=True
    )
    due_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(blank=True, help_text=_("更正说明或不予更正的理由"))
    fix_batch_id = models.CharField(max_length=64, blank=True, help_text=_("携带更正数据的基础库批次"))
    fix_package_id = models.CharField(max_length=64, blank=True, help_text=_("携带更正数据的交换数据包"))
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("数据纠错工单")
        verbose_name_plural = _("数据纠错工单")
        indexes = [
            models.Index(fields=["provider", "status", "due_at"]),
            models.Index(fields=["reporter", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.public_id}"

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.due_at < timezone.now()


class QualityComment(models.Model):
    """工单留言 between the reporter and the provider (encrypted: it may name personal data)."""

    ticket = models.ForeignKey(QualityTicket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = ProtectedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ticket", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id} #{self.pk}"
