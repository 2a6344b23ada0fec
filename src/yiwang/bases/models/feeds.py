"""供数授权 Which exchange node may feed which base, and as which providing department."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.bases.models.changes import BaseKind
from yiwang.core.models import Organisation
from yiwang.exchange.models import ExchangeNode


class FeedSource(models.Model):
    """供数授权 The packages of ``node`` (a providing department's system, or another platform) may
    update ``base``; what they write is recorded with ``organisation`` as its source.  A node without
    an active row for a base is refused (``bases_feed_not_authorised``)."""

    node = models.ForeignKey(ExchangeNode, on_delete=models.PROTECT, related_name="+")
    base = models.CharField(max_length=16, choices=BaseKind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", help_text=_("提供数据的部门")
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["base", "node_id"]
        constraints = [models.UniqueConstraint(fields=["node", "base"], name="bases_feed_source_unique")]
        verbose_name = _("基础库供数授权")
        verbose_name_plural = _("基础库供数授权")

    def __str__(self) -> str:
        return f"{self.base} ← {self.node_id}"
