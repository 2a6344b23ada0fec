"""Case detail snapshots (办件详情快照): the rendered detail of a case, kept until anything in it changes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseDetailSnapshot(models.Model):
    """办件详情快照 The last rendered detail (with timeline) of one case, and the case's revision.

    Derived data, like :class:`QueueCounter`.  Database triggers (installed by
    :mod:`yiwang.cases.detail_cache` after every ``migrate``) raise ``revision`` in the same
    transaction as any insert, update or delete of the case or of a row its detail shows (events,
    materials, notices, documents, delivery, special procedures, extensions), whatever code does it.
    A body is served only while ``built_revision`` equals ``revision`` and ``stamp`` matches the
    reader's language, day and the names the body shows; otherwise it is rebuilt.

    ``case_id`` is a plain column, not a foreign key: the triggers write it while Django deletes a
    case's rows, and a row left behind by a deleted case is harmless.  No public id or timestamps:
    nothing refers to a snapshot and it is never shown on its own (``built_on`` dates the body).
    """

    case_id = models.BigIntegerField(primary_key=True)
    revision = models.BigIntegerField(default=0)
    built_revision = models.BigIntegerField(default=-1)
    stamp = models.CharField(max_length=64, blank=True, default="")
    built_on = models.DateField(null=True, blank=True)
    body = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("办件详情快照")
        verbose_name_plural = _("办件详情快照")

    def __str__(self) -> str:
        return f"case {self.case_id} r{self.revision}/{self.built_revision}"
