"""分类建议 Keywords of a ticket's text (jieba ``extract_tags``), and what they suggest: a category and
subject tags from the keyword table (:class:`TicketKeyword`), seeded by ``yiwang tickets_defaults``."""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from types import ModuleType

from yiwang.tickets.models import TicketKeyword

MAX_KEYWORDS = 8
MAX_TEXT = 4000

_lock = threading.Lock()
_analyse: ModuleType | None = None


def _jieba_analyse() -> ModuleType:
    """Load jieba.analyse once (its dictionaries take about a second), quietly; not imported at module
    load so that management commands and migrations do not pay for it."""
    global _analyse
    if _analyse is None:
        with _lock:
            if _analyse is None:
                with warnings.catch_warnings():  # jieba 0.42 has invalid escape sequences
                    warnings.simplefilter("ignore", DeprecationWarning)
                    warnings.simplefilter("ignore", SyntaxWarning)
                    import jieba
                    import jieba.analyse

                jieba.setLogLevel(logging.WARNING)
                _analyse = jieba.analyse
    return _analyse


def clean_keywords(words: list[str]) -> list[str]:
    """Keep at most :data:`MAX_KEYWORDS` distinct words (lower case, trimmed, 2–40 chars), at least one letter, in the given order."""
    out: list[str] = []
    for word in words:
        word = (word or "").strip().lower().strip()
        if len(word) < 2 or len(word) > 40 or not any(ch.isalpha() for ch in word) or word in out:
            continue
        out.append(word)
        if len(out) >= MAX_KEYWORDS:
            break
    return out


def extract_keywords(text: str) -> list[str]:
    """关键词 The ticket text's keywords: the keyword-table words it contains first (jieba may cut
    them differently), then jieba's most characteristic words."""
    text = (text or "")[:MAX_TEXT].strip()
    if not text:
        return []
    words = _jieba_analyse().extract_tags(text, topK=MAX_KEYWORDS * 2)
    lowered = text.lower()
    table = keyword_table()
    known = [w for w in words if w in table]
    extra = [k for k in table if k in lowered and k not in known]
    return clean_keywords([*known, *extra, *words])


TABLE_SECONDS = 60.0
_table: dict[str, tuple[str, str, int]] | None = None
_table_loaded_at = 0.0


def keyword_table() -> dict[str, tuple[str, str, int]]:
    """The keyword table (keyword → category, tag, weight), read at most once a minute per process
    (a few hundred rows): classifying a ticket asks the database nothing."""
    global _table, _table_loaded_at
    now = time.monotonic()
    if _table is None or now - _table_loaded_at > TABLE_SECONDS:
        _table = {
            row.keyword.lower(): (row.category, row.tag, row.weight)
            for row in TicketKeyword.objects.order_by("keyword")[:5000]
        }
        _table_loaded_at = now
    return _table


def forget_keyword_table() -> None:
    """After the keyword table changes (seeding, tests)."""
    global _table
    _table = None


@dataclass(frozen=True)
class Classification:
    """What the text suggests."""

    keywords: list[str]
    category: str = ""
    tags: list[str] = field(default_factory=list)


def classify(text: str) -> Classification:
    """关键词 → 类别 + 主题: the category with the highest summed weight, the tags in keyword order."""
    keywords = extract_keywords(text)
    if not keywords:
        return Classification(keywords=[])
    table = keyword_table()
    weights: Counter[str] = Counter()
    tags: list[str] = []
    for word in keywords:
        row = table.get(word)
        if row is None:
            continue
        category, tag, weight = row
        if category:
            weights[category] += weight
        if tag and tag not in tags:
            tags.append(tag)
    category = weights.most_common(1)[0][0] if weights else ""
    return Classification(keywords=keywords, category=category, tags=tags)
