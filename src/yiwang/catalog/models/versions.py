"""事项版本与审核 Immutable published versions of an item and the review decisions on its drafts."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models.items import ServiceItem
from yiwang.core.models import TimeStampedModel


class ImmutableVersionError(Exception):
    """Raised on any attempt to change or delete a published version (已发布版本不可修改)."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise ImmutableVersionError("已发布的事项版本不可修改或删除")


class ServiceItemVersionQuerySet(models.QuerySet["ServiceItemVersion"]):
    """Bulk ``update``/``delete`` are refused too: a published version is written once."""

    def update(self, **kwargs: Any) -> int:
        _refuse()

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse()


class ServiceItemVersion(TimeStampedModel):
    """事项版本 The full guide of one publication of an item; never changes once written.

    Cases store ``item_version`` (the number) and a snapshot; this row is the catalogue's own record of
    the same version, used for the version history and field-level comparison.
    """

    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField(help_text=_("办事指南快照"))
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_comment = models.TextField(blank=True)

    objects = ServiceItemVersionQuerySet.as_manager()

    class Meta:
        ordering = ["item", "-version"]
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="catalog_unique_item_version")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot.get('name', '')} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()


class ReviewDecision(models.TextChoices):
    SUBMITTED = "submitted", _("提交审核")
    APPROVED = "approved", _("审核通过")
    REJECTED = "rejected", _("退回修改")


class ItemReview(TimeStampedModel):
    """审核记录 One step of the review of a draft: submission, approval or rejection, with comment.

    ``item_public_id`` is the canonical item (for a revision: the item it revises), so the history
    survives the revision row, which is removed once its content is published.
    """

    item_public_id = models.UUIDField(db_index=True)
    item_name = models.CharField(max_length=200)
    base_version = models.PositiveIntegerField(help_text=_("修订所基于的已发布版本号"))
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(blank=True)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")

    def __str__(self) -> str:
        return f"{self.item_name} {self.get_decision_display()}"
