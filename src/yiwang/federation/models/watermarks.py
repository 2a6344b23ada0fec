"""水位 Watermarks: how far each outgoing stream of records has been packed (kind → last (time, pk))."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.exchange.models import ExchangeNode


class Watermark(models.Model):
    """The last record packed for ``node`` in ``kind``: the next package starts strictly after
    ``(last_at, last_pk)`` in the source's ``(change time, pk)`` order.  Moved in the transaction that
    builds the package, so a record is packed once: never skipped, never twice."""

    node = models.ForeignKey(ExchangeNode, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    last_at = models.DateTimeField(null=True, blank=True)
    last_pk = models.PositiveBigIntegerField(default=0)
    records = models.PositiveBigIntegerField(default=0, help_text=_("已打包记录数"))
    packages = models.PositiveIntegerField(default=0, help_text=_("已生成交换包数"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "kind"], name="federation_watermark_unique")]
        verbose_name = _("同步水位")
        verbose_name_plural = _("同步水位")

    def __str__(self) -> str:
        return f"{self.kind} @ {self.last_at} #{self.last_pk}"
