"""Rules as data: routing (派单规则), deadlines per category (办理时限) and the keyword table (关键词)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.tickets.models.tickets import TicketCategory


class RoutingRule(TimeStampedModel):
    """派单规则 A ticket whose category, keywords/subject tags and region match goes to ``department``.

    Empty ``category``, ``keyword`` or ``region_prefix`` match anything; the highest ``priority``
    among the matching rules wins (ties: the most specific, then the oldest)."""

    name = models.CharField(max_length=100)
    priority = models.IntegerField(default=0)
    category = models.CharField(max_length=16, choices=TicketCategory.choices, blank=True)
    keyword = models.CharField(max_length=40, blank=True, help_text=_("关键词或主题标签"))
    region_prefix = models.CharField(max_length=12, blank=True)
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    is_fallback = models.BooleanField(default=False, help_text=_("兜底：热线中心"))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-priority", "pk"]
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")

    def __str__(self) -> str:
        return self.name


class DeadlineRule(models.Model):
    """办理时限 Working days to accept and to reply, per category."""

    category = models.CharField(max_length=16, choices=TicketCategory.choices, unique=True)
    accept_days = models.PositiveSmallIntegerField(default=1)
    reply_days = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.category}:{self.accept_days}/{self.reply_days}"


class TicketKeyword(models.Model):
    """关键词表 A keyword suggests a category and/or a subject tag (主题)."""

    keyword = models.CharField(max_length=40, unique=True)
    category = models.CharField(max_length=16, choices=TicketCategory.choices, blank=True)
    tag = models.CharField(max_length=40, blank=True)
    weight = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["keyword"]

    def __str__(self) -> str:
        return self.keyword
