"""知识检索 Search over the published knowledge entries: the catalogue's tokeniser and synonyms
(``yiwang.catalog.search``: jieba words, full pinyin, initials, the staff-managed synonym groups),
the entry's own synonyms, one pre-tokenised ``search_text`` column indexed by SQLite FTS5
(``knowledge_entry_fts``) or a PostgreSQL GIN index over ``array_to_tsvector`` (migration 0002).

Ranking: the full-text engine picks at most :data:`CANDIDATES` matches (SQLite: BM25 order; PostgreSQL:
``ts_rank``), then they are ranked in Python: exact title (or its pinyin/initials) > title contains
the query > title has every token > the rest, then hits (popularity).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from yiwang.catalog.search import (
    STOPWORDS,
    normalise,
    pinyin_initials,
    pinyin_syllables,
    query_alternatives,
    query_tokens,
    tokenize,
    uses_fts5,
    uses_tsvector,
)
from yiwang.knowledge.models import EntryStatus, KnowledgeEntry

FTS_TABLE = "knowledge_entry_fts"
PG_EXPRESSION = "array_to_tsvector(array_remove(string_to_array(search_text, ' '), ''))"
MAX_QUERY_LENGTH = 100
MAX_ANSWER_TOKENS = 60
CANDIDATES = 100

_SPLIT_RE = re.compile(r"[\W_]+", re.UNICODE)
_CJK_RE = re.compile(r"[\u4e00-\u9fff]+")


def words(text: str) -> list[str]:
    """Index words: split at whitespace and punctuation, lower-cased."""
    return [word for word in _SPLIT_RE.split(normalise(text)) if word]


def bigrams(text: str) -> list[str]:
    return [run[i : i + 2] for run in _CJK_RE.findall(text) for i in range(len(run) - 1)]


def build_search_fields(
    title: str, answer: str, synonyms: str = "", extra: Iterable[str] = ()
) -> tuple[str, str, str]:
    """(search_text, title_pinyin, title_initials) of an entry."""
    syllables = pinyin_syllables(title)
    title_pinyin = "".join(syllables)[:400]
    title_initials = pinyin_initials(title)[:200]
    title_tokens = [t for t in tokenize(title) if t not in STOPWORDS] or tokenize(title)
    synonym_words = words(synonyms)
    answer_tokens = [t for t in tokenize(answer[:2000]) if len(t) >= 2 and t not in STOPWORDS][
        :MAX_ANSWER_TOKENS
    ]
    parts: list[Iterable[str]] = [
        title_tokens,
        bigrams(title),
        synonym_words,
        *(tokenize(word) for word in synonym_words),
        answer_tokens,
        *(tokenize(phrase) for phrase in extra),
        [title_pinyin, title_initials],
        syllables,
        *(["".join(pinyin_syllables(t)), pinyin_initials(t)] for t in [*title_tokens, *synonym_words]),
    ]
    index = dict.fromkeys(word for part in parts for phrase in part if phrase for word in words(phrase))
    return " ".join(index), title_pinyin, title_initials


def refresh(entry: KnowledgeEntry, *, extra: Iterable[str] = ()) -> None:
    """Set the search columns of ``entry`` (the caller saves it) — then call :func:`sync_index`."""
    entry.search_text, entry.title_pinyin, entry.title_initials = build_search_fields(
        entry.title, entry.answer, entry.synonyms, extra
    )


def sync_index(rows: Iterable[tuple[int, str]]) -> None:
    """Write (entry id, search_text) rows into the FTS5 table (PostgreSQL indexes the column)."""
    if not uses_fts5():
        return
    batch = list(rows)
    if not batch:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _ in batch])  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, search_text) VALUES (%s, %s)",  # noqa: S608
            [(pk, text) for pk, text in batch if text],
        )


def remove_from_index(ids: Iterable[int]) -> None:
    if not uses_fts5():
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in ids])  # noqa: S608


def _groups(alternatives: list[str]) -> list[list[str]]:
    groups: list[list[str]] = []
    for alternative in alternatives:
        tokens = [word for token in query_tokens(alternative) for word in words(token)]
        if tokens:
            groups.append(list(dict.fromkeys(tokens)))
        compact = "".join(words(alternative))
        if compact and compact.isascii() and [compact] not in groups:
            groups.append([compact])
    return groups


def _candidate_ids(groups: list[list[str]]) -> list[int]:
    """Entry ids the full-text index matches, best first (bounded)."""
    if uses_fts5():
        expression = " OR ".join(
            "(" + " AND ".join('"' + t.replace('"', '""') + '"*' for t in group) + ")" for group in groups
        )
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s ORDER BY rank LIMIT %s"  # noqa: S608
        params: list[str | int] = [expression, CANDIDATES]
    elif uses_tsvector():
        expression = " | ".join(
            "(" + " & ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "':*" for t in group) + ")"
            for group in groups
        )
        sql = (
            f"SELECT id FROM knowledge_knowledgeentry WHERE status = 'published' AND {PG_EXPRESSION} "  # noqa: S608
            "@@ %s::tsquery ORDER BY hits DESC, id LIMIT %s"
        )
        params = [expression, CANDIDATES]
    else:  # pragma: no cover - other databases: substring match
        ids: list[int] = []
        for group in groups:
            qs = KnowledgeEntry.objects.filter(status=EntryStatus.PUBLISHED)
            for token in group:
                qs = qs.filter(search_text__icontains=token)
            ids.extend(qs.values_list("pk", flat=True)[:CANDIDATES])
        return ids
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True)
class Hit:
    entry: KnowledgeEntry
    tier: int  # 0 exact title, 1 title contains the query, 2 title has every token, 3 other


def search(query: str, *, limit: int = 10, kind: str = "") -> list[Hit]:
    """检索 Published entries matching ``query``, best first (three queries: synonyms, index, rows)."""
    text = normalise(query)[:MAX_QUERY_LENGTH]
    compact = "".join(words(text))
    if not compact:
        return []
    alternatives = query_alternatives(text)
    groups = _groups(alternatives)
    if not groups:
        return []
    ids = _candidate_ids(groups)
    if not ids:
        return []
    order = {pk: n for n, pk in enumerate(ids)}
    entries = KnowledgeEntry.objects.filter(pk__in=ids, status=EntryStatus.PUBLISHED).select_related("item")
    if kind:
        entries = entries.filter(kind=kind)
    token_sets = [query_tokens(alternative) for alternative in alternatives]
    hits = []
    for entry in entries.defer("search_text"):
        title = entry.title.lower()
        if title == text or compact in (entry.title_pinyin, entry.title_initials):
            tier = 0
        elif any(alternative in title for alternative in alternatives) or (
            compact.isascii() and (entry.title_pinyin.startswith(compact) or compact in entry.title_initials)
        ):
            tier = 1
        elif any(tokens and all(token in title for token in tokens) for tokens in token_sets):
            tier = 2
        else:
            tier = 3
        hits.append(Hit(entry, tier))
    hits.sort(key=lambda hit: (hit.tier, -hit.entry.hits, order[hit.entry.pk]))
    return hits[: max(1, min(limit, 50))]
