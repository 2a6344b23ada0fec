"""Published guide documents (ADR 0014): the guide page of a published item served as a stored document.

The portal renders a guide's body once per (item version, last change, language, templates) and keeps
it here; every later visitor gets it with the one query that also checks the item is still published.
Off: ``YIWANG_GUIDE_DOCUMENTS=0`` (the page renders from the catalogue cache as before).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import FilteredRelation, Q
from django.utils import timezone

from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import GuideDocument, ItemStatus, ServiceItem
from yiwang.catalog.reads import is_uuid
from yiwang.core.errors import NotFound


def enabled() -> bool:
    return bool(getattr(settings, "YIWANG_GUIDE_DOCUMENTS", True))


@dataclass(frozen=True)
class StoredGuide:
    """A published item's stamp and, when one is stored for the language, its document."""

    pk: int
    version: int
    updated_at: datetime
    stamp: str | None
    title: str | None
    html: str | None

    def current(self, stamp: str) -> bool:
        return self.html is not None and self.stamp == stamp


def stored_guide(public_id: Any, language: str) -> StoredGuide:
    """The published item with this public id and its stored guide in ``language`` (one indexed
    query: the item's row left-joined to its document); 404 when the item is not published."""
    row = (
        ServiceItem.objects.filter(public_id=public_id, status=ItemStatus.PUBLISHED)
        .annotate(doc=FilteredRelation("guide_documents", condition=Q(guide_documents__language=language)))
        .values_list("pk", "version", "updated_at", "doc__stamp", "doc__title", "doc__html")
        .first()
        if is_uuid(public_id)
        else None
    )
    if row is None:
        raise NotFound("事项不存在或未发布", code=CatalogErrorCode.ITEM_NOT_FOUND)
    return StoredGuide(*row)


def store_guide(item_pk: int, language: str, stamp: str, title: str, html: str) -> None:
    """Keep (or replace) the item's document in ``language``: one upsert.  Two workers rendering the
    same guide at once both write the same text; the last write wins and both are right."""
    GuideDocument.objects.bulk_create(
        [
            GuideDocument(
                item_id=item_pk,
                language=language[:12],
                stamp=stamp[:120],
                title=title[:300],
                html=html,
                rendered_at=timezone.now(),
            )
        ],
        update_conflicts=True,
        unique_fields=["item", "language"],
        update_fields=["stamp", "title", "html", "rendered_at"],
    )


def missing_guides(language: str, stamp_of: Any, batch: int = 500) -> Any:
    """Published items whose document in ``language`` is absent or stale (``stamp_of(version,
    updated_at)`` is the current stamp), as ``(public_id, pk)`` in id order, a batch at a time."""
    last = 0
    while True:
        rows = list(
            ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, pk__gt=last)
            .annotate(
                doc=FilteredRelation("guide_documents", condition=Q(guide_documents__language=language))
            )
            .order_by("pk")
            .values_list("pk", "public_id", "version", "updated_at", "doc__stamp")[:batch]
        )
        if not rows:
            return
        for _pk, public_id, version, updated_at, stamp in rows:
            if stamp != stamp_of(version, updated_at):
                yield public_id
        last = rows[-1][0]
