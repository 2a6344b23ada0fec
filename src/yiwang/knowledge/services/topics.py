"""热点统计 Searches and entry views counted per day (one row per day, kind and key)."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from yiwang.catalog.search import normalise
from yiwang.knowledge.models import KnowledgeEntry, TopicCount, TopicKind

PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}


def _bump(kind: str, key: str, label: str) -> None:
    day = timezone.localdate()
    if TopicCount.objects.filter(day=day, kind=kind, key=key).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            TopicCount.objects.create(day=day, kind=kind, key=key, label=label, count=1)
    except IntegrityError:  # another request made the row first
        TopicCount.objects.filter(day=day, kind=kind, key=key).update(count=F("count") + 1)


def record_search(query: str) -> None:
    text = normalise(query)[:100]
    if text:
        _bump(TopicKind.QUERY, text, text)


def record_view(entry: KnowledgeEntry) -> None:
    """An entry was opened or cited by the assistant: its hit count and today's counter."""
    KnowledgeEntry.objects.filter(pk=entry.pk).update(hits=F("hits") + 1)
    _bump(TopicKind.ENTRY, str(entry.public_id), entry.title[:200])


def hot_topics(
    period: str = "week", *, kind: str = TopicKind.QUERY, limit: int = 10
) -> list[dict[str, object]]:
    """热点 The top ``limit`` queries (or entries) of the last day, 7 days or 30 days (today included)."""
    days = PERIOD_DAYS.get(period, 7)
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = (
        TopicCount.objects.filter(kind=kind, day__gte=since)
        .values("key", "label")
        .annotate(total=Sum("count"))
        .order_by("-total", "key")[: max(1, min(limit, 50))]
    )
    return [{"key": row["key"], "label": row["label"], "count": row["total"]} for row in rows]
