"""分类建议 Keywords of a ticket's text (jieba ``extract_tags``), and what they suggest: a category and
subject tags from the keyword table (:class:`TicketKeyword`), seeded by ``yiwang tickets_defaults``."""

from __future__ import annotations

import logging
import threading
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
    """关键词 The ticket text's keywords, most characteristic first."""
    text = (text or "")[:MAX_TEXT].strip()
    if not text:
        return []
    words = _jieba_analyse().extract_tags(text, topK=MAX_KEYWORDS * 2)
    known = list(TicketKeyword.objects.filter(keyword__in=[*words]).values_list("keyword", flat=True))
    # Keyword-table words that jieba cut differently still count when they occur in the text.
    extra = [k for k in _table_words() if k in text and k not in words]
    return clean_keywords([*known, *words, *extra])


_table_cache: tuple[str, ...] | None = None


def _table_words() -> tuple[str, ...]:
    global _table_cache
    if _table_cache is None:
        _table_cache = tuple(TicketKeyword.objects.values_list("keyword", flat=True)[:2000])
    return _table_cache


def forget_keyword_table() -> None:
    """After the keyword table changes (seeding, tests)."""
    global _table_cache
    _table_cache = None


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
    rows = {row.keyword: row for row in TicketKeyword.objects.filter(keyword__in=keywords)}
    weights: Counter[str] = Counter()
    tags: list[str] = []
    for word in keywords:
        row = rows.get(word)
        if row is None:
            continue
        if row.category:
            weights[row.category] += row.weight
        if row.tag and row.tag not in tags:
            tags.append(row.tag)
    category = weights.most_common(1)[0][0] if weights else ""
    return Classification(keywords=keywords, category=category, tags=tags)
