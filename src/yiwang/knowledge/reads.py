"""Queries shared by the pages and the API of knowledge."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.urls import reverse

from yiwang.catalog.search import normalise
from yiwang.core.errors import NotFound
from yiwang.knowledge.errors import KnowledgeErrorCode
from yiwang.knowledge.models import EntryKind, EntryStatus, KnowledgeEntry

SNIPPET = 80


def entries(*, status: str = "", kind: str = "", q: str = "") -> QuerySet[KnowledgeEntry]:
    """Entries for the staff lists (filters by status, kind and a title substring)."""
    rows = KnowledgeEntry.objects.select_related("department", "item", "author", "reviewed_by").defer(
        "search_text"
    )
    if status:
        rows = rows.filter(status=status) if status in EntryStatus.values else rows.none()
    if kind:
        rows = rows.filter(kind=kind) if kind in EntryKind.values else rows.none()
    if q:
        rows = rows.filter(title__icontains=normalise(q)[:100])
    return rows.order_by("-updated_at", "-pk")


def review_queue() -> QuerySet[KnowledgeEntry]:
    return entries(status=EntryStatus.IN_REVIEW)


def proposals() -> QuerySet[KnowledgeEntry]:
    """Drafts proposed from answered tickets."""
    return entries(status=EntryStatus.DRAFT, kind=EntryKind.TICKET)


def get_entry(public_id: Any) -> KnowledgeEntry:
    entry = entries().filter(public_id=public_id).first()
    if entry is None:
        raise NotFound("知识条目不存在", code=KnowledgeErrorCode.NOT_FOUND)
    return entry


def get_published(public_id: Any) -> KnowledgeEntry:
    entry = entries(status=EntryStatus.PUBLISHED).filter(public_id=public_id).first()
    if entry is None:
        raise NotFound("知识条目不存在", code=KnowledgeErrorCode.NOT_FOUND)
    return entry


def categories() -> list[dict[str, Any]]:
    """The categories of the published entries with their counts (help page)."""
    rows = (
        KnowledgeEntry.objects.filter(status=EntryStatus.PUBLISHED)
        .exclude(category="")
        .values("category")
        .annotate(n=Count("pk"))
        .order_by("-n", "category")[:30]
    )
    return [{"name": row["category"], "count": row["n"]} for row in rows]


def snippet(entry: KnowledgeEntry) -> str:
    text = " ".join(entry.answer.split())
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "…"


def links(entry: KnowledgeEntry) -> dict[str, str]:
    """The entry page and, for an item's entry, its guide and apply pages."""
    result = {
        "url": reverse("knowledge_public:entry", args=[entry.public_id]),
        "guide_url": "",
        "apply_url": "",
    }
    if entry.item_id and entry.item is not None:
        result["guide_url"] = reverse("portal:item_guide", args=[entry.item.public_id])
        if entry.item.online_apply:
            result["apply_url"] = reverse("portal:apply", args=[entry.item.public_id])
    return result
