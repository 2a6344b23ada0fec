"""Queue counters (待办计数): how many open cases each department holds in each status."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation

# A department's counter is split over this many rows (by case id), so that two transactions moving
# different cases of one department rarely wait on the same row lock.
QUEUE_COUNTER_SHARDS = 16


class QueueCounter(models.Model):
    """待办计数 One shard of the number of cases of one department in one open status.

    Derived data, kept in step with ``cases_case`` inside the same transaction as the case's
    transition (:mod:`yiwang.cases.queues`), so the to-do list's total is a sum of at most ``QUEUE_COUNTER_SHARDS``
    rows instead of a count over an index with tens of thousands of entries.  Like any cache it can
    be rebuilt from the cases (``manage.py recount_queues``), which also reports drift.  It has no
    public id or timestamps: nothing refers to a counter row and it is never shown on its own.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=32)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "status", "shard"], name="cases_unique_queue_counter_shard"
            )
        ]
        verbose_name = _("待办计数")
        verbose_name_plural = _("待办计数")

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.status}#{self.shard}={self.count}"
