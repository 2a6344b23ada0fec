"""事项检索 Full-text search over the service-item catalogue: jieba words, full pinyin, initials,
staff-managed synonyms, filters, ranking by relevance and popularity.

Indexing.  Each item carries a ``search_text``: space-separated, lower-case words built from its
name (jieba search-mode tokens and the character bigrams of the name), its implementing body, its
keywords and common aliases (俗称), its result name, the key words of its acceptance conditions and
its material names, plus the toneless pinyin and the pinyin initials of the name and of each of its
words ("getigongshanghu", "gtgsh").  The words are the index terms; no database-side parsing:

* SQLite: the FTS5 virtual table ``catalog_item_fts`` (rowid = item id), written by
  :func:`refresh_search_fields`, the one function every catalogue service calls after a change;
* PostgreSQL: a GIN index over ``array_to_tsvector(string_to_array(search_text, ' '))`` (created by
  migration 0005), so the index follows the column.

Querying.  The query is normalised, cut with jieba, filler words dropped ("我想办理…"); each
synonym group (:class:`~yiwang.catalog.models.Synonym`) that occurs in the query yields an
alternative query with the equivalent word.  An item matches when, for some alternative, every
token is a prefix of one of its words, or when the whole query (spaces removed) is a prefix of one
of its words (pinyin, initials).  Matches are ranked: exact name (or its pinyin/initials) > name
contains the query > name has every token > result name or keywords have every token > the rest,
then popularity (``application_count``).
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
import warnings
from collections.abc import Iterable
from types import ModuleType

from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from pypinyin import Style, lazy_pinyin

from yiwang.catalog.models import (
    FULL_ONLINE_STEPS,
    ExerciseLevel,
    ItemStatus,
    OnlineDepthStep,
    ServiceItem,
    ServiceObject,
    Synonym,
    Theme,
)
from yiwang.core.models import Organisation
from yiwang.core.paging import MAX_LIMIT, MAX_OFFSET

MAX_QUERY_LENGTH = 100
MAX_CONDITION_TOKENS = 80
MAX_ALTERNATIVES = 8
FTS_TABLE = "catalog_item_fts"
PG_EXPRESSION = "array_to_tsvector(array_remove(string_to_array(search_text, ' '), ''))"
FTS5_MATCH_SQL = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
TSQUERY_MATCH_SQL = f"SELECT id FROM catalog_serviceitem WHERE {PG_EXPRESSION} @@ %s::tsquery"  # noqa: S608

# Domain words jieba should keep whole, so "个体工商户" is one token as well as its parts.
DOMAIN_WORDS: tuple[str, ...] = (
    "个体工商户",
    "营业执照",
    "居民身份证",
    "临时居民身份证",
    "最低生活保障",
    "社会保障卡",
    "住房公积金",
    "不动产",
    "公积金",
    "施工许可证",
    "预售许可",
    "社会团体",
    "民办非企业单位",
    "失业保险金",
    "无犯罪记录证明",
    "职业技能等级证书",
    "教师资格",
    "残疾人证",
    "高龄津贴",
    "食品经营许可",
    "公共场所卫生许可",
    "出租汽车",
    "户口迁移",
)

# 俗称 Everyday names people type for an item; added to the index of every item whose name contains
# the key.  Per-item extras go in ``ServiceItem.keywords``.
ALIASES: dict[str, tuple[str, ...]] = {
    "最低生活保障": ("低保",),
    "个体工商户": ("个体户", "开店"),
    "企业设立": ("开公司", "注册公司", "开办企业"),
    "社会保障卡": ("社保卡",),
    "住房公积金": ("公积金",),
    "失业保险金": ("失业金",),
    "不动产": ("房产证", "过户"),
    "生育登记": ("准生证",),
    "结婚登记": ("结婚证", "领证"),
    "食品经营许可": ("餐饮", "开饭店"),
    "出租汽车": ("出租车", "网约车"),
    "居民身份证": ("身份证",),
    "营业执照": ("执照",),
}

# 虚词 Filler words dropped from a query (unless nothing else is left).
STOPWORDS: frozenset[str] = frozenset(
    {
        "我",
        "想",
        "要",
        "我想",
        "我要",
        "想要",
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "吧",
        "怎么",
        "怎么办",
        "怎样",
        "如何",
        "哪里",
        "在哪",
        "在哪里",
        "去",
        "到",
        "请问",
        "能",
        "能否",
        "可以",
        "需要",
        "办理",
        "办",
        "申请",
        "一下",
        "什么",
        "哪些",
        "手续",
        "流程",
        "帮",
        "帮我",
        "给",
        "为",
        "和",
        "与",
        "及",
        "在",
        "是",
        "有",
        "个",
    }
)

WORD_RE = re.compile(r"\w", re.UNICODE)
_SPLIT_RE = re.compile(r"[\W_]+", re.UNICODE)
_CJK_RE = re.compile(r"[\u4e00-\u9fff]+")
_ASCII_RE = re.compile(r"[0-9a-z]+")
_SPACE_RE = re.compile(r"\s+")

_jieba_lock = threading.Lock()
_jieba_module: ModuleType | None = None


def _jieba() -> ModuleType:
    """Load jieba once, quietly (its dictionary takes about a second to load)."""
    global _jieba_module
    if _jieba_module is None:
        with _jieba_lock:
            if _jieba_module is None:
                with warnings.catch_warnings():  # jieba 0.42 has invalid escape sequences in its regexes
                    warnings.simplefilter("ignore", DeprecationWarning)
                    warnings.simplefilter("ignore", SyntaxWarning)
                    import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                for word in (*DOMAIN_WORDS, *(alias for aliases in ALIASES.values() for alias in aliases)):
                    jieba.add_word(word)
                _jieba_module = jieba
    return _jieba_module


def warm_up() -> None:
    """jieba's dictionary and the pinyin tables (about a second), before a worker takes traffic."""
    tokenize("营业执照办理")
    pinyin_initials("营业执照")


def normalise(text: str) -> str:
    """Lower-case, trim and collapse whitespace."""
    return _SPACE_RE.sub(" ", (text or "").strip().lower())


def tokenize(text: str) -> list[str]:
    """分词 jieba search-mode tokens of ``text``, lower-cased, without whitespace or punctuation."""
    text = normalise(text)
    if not text:
        return []
    tokens = (token.strip() for token in _jieba().cut_for_search(text))
    return list(dict.fromkeys(token for token in tokens if token and WORD_RE.search(token)))


def _ascii_chunks(chars: str) -> str:
    """Keep Latin letters and digits of a non-Chinese run (lower-cased); drop punctuation."""
    return "".join(_ASCII_RE.findall(chars.lower()))


def pinyin_syllables(text: str) -> list[str]:
    """拼音 Toneless pinyin syllables of the Chinese characters; Latin letters and digits kept as is."""
    return [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors=_ascii_chunks) if s.strip()]


def pinyin_initials(text: str) -> str:
    """首字母 e.g. 个体工商户 → gtgsh."""
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=_ascii_chunks)
    return "".join(part.lower() for part in parts if part.strip())


def query_tokens(query: str) -> list[str]:
    """The tokens every match must contain: jieba tokens without filler words."""
    tokens = tokenize(query)
    meaningful = [token for token in tokens if token not in STOPWORDS]
    return meaningful or tokens


def _aliases_for(text: str) -> list[str]:
    return [alias for key, aliases in ALIASES.items() if key in text for alias in aliases]


def _words(text: str) -> list[str]:
    """Index words of a text: split at whitespace and punctuation (FTS5 would split there too)."""
    return [word for word in _SPLIT_RE.split(normalise(text)) if word]


def _bigrams(text: str) -> list[str]:
    """相邻二字 Character bigrams of the Chinese runs of a name, so "换领" finds 居民身份证换领."""
    return [run[i : i + 2] for run in _CJK_RE.findall(text) for i in range(len(run) - 1)]


def build_search_fields(item: ServiceItem, *, materials: Iterable[str] | None = None) -> tuple[str, str, str]:
    """(search_text, name_pinyin, name_initials) for an item; reads its body and materials.

    ``materials`` (names) may be given to avoid the query, e.g. when indexing in bulk.
    """
    body = item.implementing_body
    syllables = pinyin_syllables(item.name)
    name_pinyin = "".join(syllables)
    name_initials = pinyin_initials(item.name)
    name_tokens = tokenize(item.name)
    keywords = [*_words(item.keywords), *_aliases_for(item.name)]
    if materials is None:
        materials = [material.name for material in item.materials.all()] if item.pk else []
    material_names = list(materials)
    condition_tokens = [
        token
        for token in tokenize(item.conditions)
        if len(token) >= 2 and token not in STOPWORDS and not token.isdigit()
    ][:MAX_CONDITION_TOKENS]
    parts: list[Iterable[str]] = [
        [item.name],
        name_tokens,
        _bigrams(item.name),
        [body.name, body.short_name],
        tokenize(body.name),
        keywords,
        *(tokenize(keyword) for keyword in keywords),
        [item.result_name],
        tokenize(item.result_name),
        condition_tokens,
        material_names,
        *(tokenize(name) for name in material_names),
        [name_pinyin, name_initials],
        syllables,
        *(["".join(pinyin_syllables(token)), pinyin_initials(token)] for token in name_tokens),
        *(["".join(pinyin_syllables(keyword)), pinyin_initials(keyword)] for keyword in keywords),
    ]
    words = dict.fromkeys(
        word for part in parts for phrase in part if phrase and phrase.strip() for word in _words(phrase)
    )
    return " ".join(words), name_pinyin, name_initials


def uses_fts5() -> bool:
    return connection.vendor == "sqlite"


def uses_tsvector() -> bool:
    return connection.vendor == "postgresql"


def sync_fulltext(rows: Iterable[tuple[int, str]]) -> None:
    """Write (item id, search_text) rows into the SQLite FTS5 table; no-op on other databases
    (PostgreSQL indexes the column itself)."""
    if not uses_fts5():
        return
    batch = [(pk, text) for pk, text in rows]
    if not batch:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _ in batch])  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, search_text) VALUES (%s, %s)",  # noqa: S608
            [(pk, text) for pk, text in batch if text],
        )


def refresh_search_fields(item: ServiceItem, *, save: bool = True) -> ServiceItem:
    """Rebuild the search columns of ``item`` and its full-text entry (call inside the service that
    changed it, in its transaction)."""
    item.search_text, item.name_pinyin, item.name_initials = build_search_fields(item)
    if save:
        ServiceItem.objects.filter(pk=item.pk).update(
            search_text=item.search_text, name_pinyin=item.name_pinyin, name_initials=item.name_initials
        )
        sync_fulltext([(item.pk, item.search_text)])
    return item


def rebuild_search_index(items: QuerySet[ServiceItem] | None = None, *, recompute: bool = True) -> int:
    """重建索引 Recompute the search columns of ``items`` (all by default) and rewrite the FTS5 rows.

    With ``recompute=False`` only the FTS5 table is refilled from the stored ``search_text``.
    Returns the number of items indexed.
    """
    queryset = items if items is not None else ServiceItem.objects.all()
    count = 0
    if recompute:
        for item in (
            queryset.select_related("implementing_body")
            .prefetch_related("materials")
            .iterator(chunk_size=500)
        ):
            refresh_search_fields(item)
            count += 1
        return count
    rows = list(queryset.values_list("pk", "search_text"))
    sync_fulltext(rows)
    return len(rows)


# --- synonyms ------------------------------------------------------------------------------------
def synonym_groups() -> list[list[str]]:
    """Every active synonym group as a list of normalised words (one query)."""
    groups = []
    for term, equivalents in Synonym.objects.filter(is_active=True).values_list("term", "equivalents"):
        words = [normalise(term), *(normalise(str(word)) for word in equivalents or [])]
        words = list(dict.fromkeys(word for word in words if word))
        if len(words) > 1:
            groups.append(words)
    return groups


def query_alternatives(text: str, groups: list[list[str]] | None = None) -> list[str]:
    """The query and its synonym variants: "个体户 变更" → ["个体户 变更", "个体工商户 变更"]."""
    alternatives = [text]
    for words in groups if groups is not None else synonym_groups():
        for word in sorted(words, key=len, reverse=True):
            if word and word in text:
                for other in words:
                    if other != word:
                        alternatives.append(text.replace(word, other))
                break
    return list(dict.fromkeys(alternatives))[:MAX_ALTERNATIVES]


# --- full-text match -----------------------------------------------------------------------------
def _fts5_term(token: str) -> str:
    return '"' + token.replace('"', '""') + '"*'


def _tsquery_term(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "':*"


def _match_groups(alternatives: list[str]) -> list[list[str]]:
    """Token groups (AND inside, OR between): each alternative's tokens, and each alternative
    without spaces as one word (pinyin typed with or without spaces)."""
    groups: list[list[str]] = []
    for alternative in alternatives:
        tokens = [word for token in query_tokens(alternative) for word in _words(token)]
        if tokens:
            groups.append(list(dict.fromkeys(tokens)))
        compact = "".join(_words(alternative))
        if compact and [compact] not in groups and compact.isascii():
            groups.append([compact])
    return groups


def fulltext_match(alternatives: list[str]) -> Q | None:
    """The ``pk__in`` condition of the full-text index for these query alternatives; ``None``
    when the query has no searchable word."""
    groups = _match_groups(alternatives)
    if not groups:
        return None
    # The query text is only ever a bound parameter; the SQL around it is constant.
    if uses_fts5():
        expression = " OR ".join("(" + " AND ".join(_fts5_term(t) for t in group) + ")" for group in groups)
        return Q(pk__in=RawSQL(FTS5_MATCH_SQL, [expression]))  # noqa: S611
    if uses_tsvector():
        expression = " | ".join("(" + " & ".join(_tsquery_term(t) for t in group) + ")" for group in groups)
        return Q(pk__in=RawSQL(TSQUERY_MATCH_SQL, [expression]))  # noqa: S611
    # Any other database: substring matching on the stored words (slow, but correct).
    match = Q(pk__in=[])
    for group in groups:
        every = Q()
        for token in group:
            every &= Q(search_text__icontains=token)
        match |= every
    return match


# --- filters -------------------------------------------------------------------------------------
def _department_filter(department: Organisation | uuid.UUID | str) -> Q | None:
    if isinstance(department, Organisation):
        return Q(implementing_body=department)
    try:
        public_id = department if isinstance(department, uuid.UUID) else uuid.UUID(str(department))
    except ValueError:
        return None
    return Q(implementing_body__public_id=public_id)


def _code_in_list(field: str, code: str) -> Q:
    """A JSON list of codes contains ``code`` (text match on the JSON, the same on both databases)."""
    return Q(**{f"{field}__icontains": f'"{code}"'})


def filter_items(
    items: QuerySet[ServiceItem],
    *,
    department: Organisation | uuid.UUID | str | None = None,
    theme: str | None = None,
    service_object: str | None = None,
    level: str | None = None,
    online_step: str | None = None,
    fully_online: bool = False,
) -> QuerySet[ServiceItem]:
    """筛选 Department, theme (主题), service object (服务对象), level (行使层级), an online step
    (网办深度) and 全程网办; an unknown code matches nothing."""
    if department:
        department_q = _department_filter(department)
        if department_q is None:
            return items.none()
        items = items.filter(department_q)
    if theme:
        if theme not in Theme.values:
            return items.none()
        items = items.filter(themes__theme=theme)
    if service_object:
        if service_object not in ServiceObject.values:
            return items.none()
        items = items.filter(_code_in_list("service_objects", service_object))
    if level:
        if level not in ExerciseLevel.values:
            return items.none()
        items = items.filter(exercise_level=level)
    if online_step:
        if online_step not in OnlineDepthStep.values:
            return items.none()
        items = items.filter(_code_in_list("online_depth", online_step))
    if fully_online:
        for step in sorted(FULL_ONLINE_STEPS):
            items = items.filter(_code_in_list("online_depth", step))
    return items


def search_queryset(
    query: str,
    *,
    published_only: bool = True,
    department: Organisation | uuid.UUID | str | None = None,
    theme: str | None = None,
    service_object: str | None = None,
    level: str | None = None,
    online_step: str | None = None,
    fully_online: bool = False,
) -> QuerySet[ServiceItem]:
    """The matching items, ranked (see the module docstring); an empty query lists every item by
    popularity.  One query to read the synonyms when the query has words."""
    items = ServiceItem.objects.select_related("implementing_body", "region")
    if published_only:
        items = items.filter(status=ItemStatus.PUBLISHED)
    items = filter_items(
        items,
        department=department,
        theme=theme,
        service_object=service_object,
        level=level,
        online_step=online_step,
        fully_online=fully_online,
    )
    text = normalise(query)[:MAX_QUERY_LENGTH]
    compact = "".join(_words(text))
    if not compact:
        if text:  # punctuation only
            return items.none()
        return items.order_by("-application_count", "name", "pk")
    alternatives = query_alternatives(text)
    match = fulltext_match(alternatives)
    if match is None:
        return items.none()
    exact = Q(name__iexact=text) | Q(name_pinyin=compact) | Q(name_initials=compact)
    contains = Q(name_pinyin__startswith=compact) | Q(name_initials__startswith=compact)
    in_name = Q(pk__in=[])
    in_result = Q(pk__in=[])
    for alternative in alternatives:
        contains |= Q(name__icontains=alternative)
        tokens = query_tokens(alternative)
        if tokens:
            every_in_name, every_in_result = Q(), Q()
            for token in tokens:
                every_in_name &= Q(name__icontains=token)
                every_in_result &= Q(result_name__icontains=token) | Q(keywords__icontains=token)
            in_name |= every_in_name
            in_result |= every_in_result
    rank = Case(
        When(exact, then=Value(0)),
        When(contains, then=Value(1)),
        When(in_name, then=Value(2)),
        When(in_result, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    return (
        items.filter(match)
        .annotate(search_rank=rank)
        .order_by("search_rank", "-application_count", "name", "pk")
    )


def search_items(
    query: str,
    *,
    published_only: bool = True,
    department: Organisation | uuid.UUID | str | None = None,
    limit: int = 20,
    offset: int = 0,
    theme: str | None = None,
    service_object: str | None = None,
    level: str | None = None,
    online_step: str | None = None,
    fully_online: bool = False,
) -> tuple[list[ServiceItem], int]:
    """检索事项 One page of matching items and the total count (three queries: synonyms, count, page;
    two for an empty query)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_OFFSET))  # the callers bound it too (yiwang.core.paging)
    matches = search_queryset(
        query,
        published_only=published_only,
        department=department,
        theme=theme,
        service_object=service_object,
        level=level,
        online_step=online_step,
        fully_online=fully_online,
    )
    total = matches.count()
    if total == 0:
        return [], 0
    return list(matches[offset : offset + limit]), total
