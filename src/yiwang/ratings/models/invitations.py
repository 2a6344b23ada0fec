"""评价邀请 Rating invitations: one per service delivered (a case, a ticket, a hall visit, a conversation).

The invitation carries the columns the indicators group and filter on (department, item, region,
service time) and the few flags they count (level, default rating, reply, rectification, revisit
result), so every indicator is one ``GROUP BY`` over this table (docs/ratings.md "Indicators").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.core.protected import DigestField, ProtectedCharField


class SubjectKind(models.TextChoices):
    """被评价的服务 What was delivered."""

    CASE = "case", _("办件")
    TICKET = "ticket", _("工单")
    HALL_VISIT = "hall_visit", _("大厅现场服务")
    CONVERSATION = "conversation", _("咨询会话")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("待评价")
    RATED = "rated", _("已评价")
    DEFAULTED = "defaulted", _("默认好评")


class RatingInvitation(TimeStampedModel):
    """评价邀请 One invitation per (subject kind, subject id); the token opens the public rating page."""

    subject_kind = models.CharField(max_length=16, choices=SubjectKind.choices)
    subject_id = models.UUIDField()
    subject_label = models.CharField(max_length=200)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(ServiceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(max_length=12, db_index=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    phone = ProtectedCharField(max_length=11, blank=True, default="")
    phone_digest = DigestField(source="phone", canonical="phone")
    served_at = models.DateTimeField()
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    # Indicator columns, kept by the services of this app.
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    is_default = models.BooleanField(default=False)
    bad_replied = models.BooleanField(default=False)
    bad_rectified = models.BooleanField(default=False)
    revisit_satisfied = models.BooleanField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-served_at", "-pk"]
        verbose_name = _("评价邀请")
        verbose_name_plural = _("评价邀请")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_kind", "subject_id"], name="ratings_one_invitation_per_subject"
            )
        ]
        indexes = [
            models.Index(fields=["served_at"], name="ratings_inv_served"),
            models.Index(fields=["organisation", "served_at"], name="ratings_inv_org_served"),
            models.Index(fields=["item", "served_at"], name="ratings_inv_item_served"),
            models.Index(fields=["region_code", "served_at"], name="ratings_inv_region_served"),
            models.Index(fields=["status", "served_at"], name="ratings_inv_status_served"),
            models.Index(fields=["applicant", "served_at"], name="ratings_inv_applicant"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_kind}:{self.subject_id}"
