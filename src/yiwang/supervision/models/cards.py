"""红黄牌 Red and yellow cards given to a department for a period, and appeals (申诉) against them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel


class CardColour(models.TextChoices):
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class CardStatus(models.TextChoices):
    SUGGESTED = "suggested", _("建议亮牌")
    ISSUED = "issued", _("已亮牌")
    APPEALED = "appealed", _("申诉中")
    UPHELD = "upheld", _("申诉驳回（维持）")
    REVOKED = "revoked", _("已撤销")


class Card(TimeStampedModel):
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    colour = models.CharField(max_length=10, choices=CardColour.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=CardStatus.choices, default=CardStatus.ISSUED)
    red_warnings = models.PositiveIntegerField(default=0, help_text=_("红色预警数（建议依据）"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("红黄牌")
        verbose_name_plural = _("红黄牌")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "period_start", "colour"],
                condition=Q(status="suggested"),
                name="supervision_one_suggestion_per_period",
            )
        ]


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待裁决")
    UPHELD = "upheld", _("维持原牌")
    REVOKED = "revoked", _("撤销")


class Appeal(TimeStampedModel):
    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="appeals")
    reasons = models.TextField()
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["card"], condition=Q(status="pending"), name="supervision_one_pending_appeal"
            )
        ]
