"""差评整改 Rectification of a bad review: call back and verify, rectify, reply, revisit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.ratings.models.invitations import RatingInvitation
from yiwang.ratings.models.ratings import Rating


class RectificationRule(models.Model):
    """整改时限规则 Deadlines (working days) for a region prefix; '' is the national default.

    The rule with the longest ``region_code`` prefix of the department's region applies."""

    region_code = models.CharField(max_length=12, unique=True, blank=True)
    name = models.CharField(max_length=100)
    callback_days = models.PositiveSmallIntegerField(help_text=_("回访核实时限（工作日）"))
    rectify_days = models.PositiveSmallIntegerField(help_text=_("整改反馈时限（工作日）"))
    default_after_days = models.PositiveSmallIntegerField(default=15, help_text=_("未评价默认好评（自然日）"))

    class Meta:
        ordering = ["region_code"]
        verbose_name = _("整改时限规则")
        verbose_name_plural = _("整改时限规则")

    def __str__(self) -> str:
        return self.name


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("待回访核实")
    VERIFIED = "verified", _("已核实")
    RECTIFIED = "rectified", _("已整改")
    REPLIED = "replied", _("已答复待回访")
    CLOSED = "closed", _("已办结")


class OverdueStage(models.TextChoices):
    NONE = "", _("未逾期")
    CALLBACK = "callback", _("回访核实逾期")
    RECTIFY = "rectify", _("整改逾期")


OPEN_STATUSES = (
    RectificationStatus.OPEN,
    RectificationStatus.VERIFIED,
    RectificationStatus.RECTIFIED,
    RectificationStatus.REPLIED,
)


class Rectification(TimeStampedModel):
    """整改任务 One per bad rating, for the department that delivered the service."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    invitation = models.ForeignKey(RatingInvitation, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    callback_due = models.DateField()
    rectify_due = models.DateField()
    called_back_at = models.DateTimeField(null=True, blank=True)
    called_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    genuine = models.BooleanField(null=True, blank=True, help_text=_("核实结果：属实/不属实"))
    callback_note = models.TextField(blank=True)
    rectification_text = models.TextField(blank=True)
    rectified_at = models.DateTimeField(null=True, blank=True)
    reply_text = models.TextField(blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    revisit_satisfied = models.BooleanField(null=True, blank=True, help_text=_("回访结果：满意/不满意"))
    revisit_note = models.TextField(blank=True)
    revisited_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_comment = models.TextField(blank=True)
    overdue_stage = models.CharField(max_length=10, choices=OverdueStage.choices, blank=True, default="")
    warning = models.BooleanField(default=False, help_text=_("逾期预警"))
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        indexes = [
            models.Index(fields=["department", "status", "created_at"], name="ratings_rect_dept"),
            models.Index(fields=["rectify_due"], condition=~Q(status="closed"), name="ratings_rect_open_due"),
        ]

    def __str__(self) -> str:
        return f"{self.rating_id}:{self.status}"

    @property
    def is_closed(self) -> bool:
        return self.status == RectificationStatus.CLOSED
