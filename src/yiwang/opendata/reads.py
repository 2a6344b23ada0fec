"""Queries shared by the portal pages and the API: the public catalogue, its search and themes."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from yiwang.catalog.search import normalise, query_tokens
from yiwang.opendata.models import Dataset, DatasetStatus, DatasetTheme, Distribution, OpenDataKey

MAX_QUERY = 100


def public_datasets() -> QuerySet[Dataset]:
    """Published datasets with what a list row shows (publisher, distributions): a fixed number of
    queries whatever the page size."""
    return (
        Dataset.objects.filter(status=DatasetStatus.PUBLISHED)
        .select_related("publisher", "resource")
        .prefetch_related(Prefetch("distributions", queryset=Distribution.objects.order_by("format")))
    )


def search_datasets(q: str = "", theme: str = "", publisher: Any = None) -> QuerySet[Dataset]:
    """检索 Every jieba token of ``q`` (or the whole query as pinyin) must appear in the dataset's
    search text; ``theme`` and ``publisher`` (public id) narrow the list."""
    qs = public_datasets()
    q = normalise(q)[:MAX_QUERY]
    if q:
        tokens = query_tokens(q) or [q]
        match = Q()
        for token in tokens:
            match &= Q(search_text__icontains=token)
        compact = q.replace(" ", "")
        qs = qs.filter(match | Q(search_text__icontains=compact))
    if theme:
        qs = qs.filter(theme=theme)
    if publisher:
        qs = qs.filter(publisher__public_id=publisher)
    return qs.order_by("-modified", "pk")


def dataset(public_id: Any) -> Dataset | None:
    return public_datasets().filter(public_id=public_id).first()


def themes() -> list[dict[str, Any]]:
    """主题 Every theme with its number of published datasets (zero included)."""
    counts = dict(
        Dataset.objects.filter(status=DatasetStatus.PUBLISHED)
        .values_list("theme")
        .annotate(n=Count("pk"))
        .values_list("theme", "n")
    )
    return [
        {"code": code, "name": str(label), "count": counts.get(code, 0)}
        for code, label in DatasetTheme.choices
    ]


def keys_of(user: Any) -> QuerySet[OpenDataKey]:
    return OpenDataKey.objects.filter(user=user).order_by("-created_at", "pk")


def managed_datasets(organisation_id: int | None) -> QuerySet[Dataset]:
    """The datasets of a publisher, withdrawn ones included (for its data officials)."""
    return (
        Dataset.objects.filter(publisher_id=organisation_id)
        .select_related("publisher", "resource")
        .prefetch_related(Prefetch("distributions", queryset=Distribution.objects.order_by("format")))
        .order_by("-modified", "pk")
    )
