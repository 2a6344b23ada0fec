"""Published guide documents (已发布的办事指南文档): a published guide's rendered body, kept per language.

A published item does not change (a change is a new revision, published under a new version), so its
guide is a document: rendered once and served as stored, like a file.  See
:mod:`yiwang.catalog.guide_documents` and ADR 0014.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models.items import ServiceItem


class GuideDocument(models.Model):
    """已发布办事指南文档 The rendered body of a published item's guide page in one language.

    ``stamp`` says what it was rendered from (the item's version and last change, and the templates'
    digest); a document whose stamp differs from the item's current one is stale and rendered again.
    """

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="guide_documents")
    language = models.CharField(max_length=12)
    stamp = models.CharField(max_length=120)
    title = models.CharField(max_length=300)
    html = models.TextField()
    rendered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("办事指南文档")
        verbose_name_plural = _("办事指南文档")
        constraints = [
            models.UniqueConstraint(fields=["item", "language"], name="catalog_guide_document_item_language")
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.language}"
