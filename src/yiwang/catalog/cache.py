"""已发布目录缓存 Cache of published catalogue data (search results, guide data).

Every key carries the catalogue *generation*; publishing or withdrawing an item (and editing the
synonyms that search expands) bumps the generation after the transaction commits, so every
cached answer of the old catalogue is ignored at once.  With a cache shared by all workers and
nodes (``YIWANG_CACHE_URL=redis://…``) the invalidation is immediate everywhere; with the default
per-process memory cache another worker sees the change at the latest after
``YIWANG_CATALOG_CACHE_SECONDS`` (the TTL of every entry).  A TTL of 0 switches caching off (the
test profile does, so tests see their own data).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "yiwang:catalog:generation"
T = TypeVar("T")


def ttl() -> int:
    return int(getattr(settings, "YIWANG_CATALOG_CACHE_SECONDS", 0))


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return int(value)


def bump() -> None:
    """Invalidate every cached catalogue answer (a new generation)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from what keys used
        cache.set(GENERATION_KEY, generation() + 1, timeout=None)


def bump_on_commit() -> None:
    """Call inside the service's transaction: the generation moves once the change is visible."""
    transaction.on_commit(bump)


def cached(namespace: str, parts: Any, compute: Callable[[], T]) -> T:
    """``compute()``, cached under ``namespace`` + ``parts`` for the current generation."""
    seconds = ttl()
    if seconds <= 0:
        return compute()
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]
    key = f"yiwang:catalog:{generation()}:{namespace}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value
