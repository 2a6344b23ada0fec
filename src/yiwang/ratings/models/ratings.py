"""评价 Ratings (GB/T 39734, 国办发〔2019〕51号): five levels, standard reasons, one follow-up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import TimeStampedModel
from yiwang.ratings.models.invitations import RatingInvitation

COMMENT_MAX = 500
GOOD_LEVELS = (5, 4, 3)
BAD_LEVELS = (2, 1)


class RatingLevel(models.IntegerChoices):
    """评价等级"""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


class RatingChannel(models.TextChoices):
    """评价渠道"""

    PC = "pc", _("网上（PC端）")
    MOBILE = "mobile", _("移动端")
    QR = "qr", _("二维码")
    HALL_DEVICE = "hall_device", _("大厅评价器")
    SMS = "sms", _("短信")
    PHONE = "phone", _("电话（12345）")


class ReasonKind(models.TextChoices):
    GOOD = "good", _("好评原因")
    BAD = "bad", _("差评原因")


class RatingReason(models.Model):
    """评价原因 A reason from the standard lists, seeded by ``yiwang ratings_defaults``."""

    code = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=4, choices=ReasonKind.choices)
    label = models.CharField(max_length=100)
    sort = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "sort", "code"]
        verbose_name = _("评价原因")
        verbose_name_plural = _("评价原因")

    def __str__(self) -> str:
        return self.label


class Rating(TimeStampedModel):
    """评价 The one rating of an invitation (given by the applicant, by token, or by default)."""

    invitation = models.OneToOneField(RatingInvitation, on_delete=models.PROTECT, related_name="rating")
    level = models.PositiveSmallIntegerField(choices=RatingLevel.choices)
    channel = models.CharField(max_length=12, choices=RatingChannel.choices)
    reasons = models.JSONField(default=list, blank=True, help_text=_("reason codes"))
    comment = models.CharField(max_length=COMMENT_MAX, blank=True)
    is_default = models.BooleanField(default=False)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField()
    followup_comment = models.CharField(max_length=COMMENT_MAX, blank=True)
    followup_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-rated_at", "-pk"]
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        indexes = [models.Index(fields=["rated_at"], name="ratings_rating_rated_at")]

    def __str__(self) -> str:
        return f"{self.invitation_id}:{self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS
