"""事项检索 Search over the service-item catalogue: jieba tokens, full pinyin and pinyin initials.

Each item carries a ``search_text`` (lower-case, space-separated) built from its name, its
implementing body, its keywords and common aliases (俗称, e.g. 低保 for 最低生活保障), its result
name, the key words of its acceptance conditions (受理条件) and its material names, plus the pinyin
of its name without tones ("getigongshanghu", "ge ti gong shang hu") and the initials ("gtgsh").
``name_pinyin`` and ``name_initials`` hold the pinyin of the name alone for whole-query matching.

A query is normalised (lower case, stripped), cut with jieba in search mode, and filler words
("我想办理…") are dropped; an item matches when every token occurs in its ``search_text``, or
when the whole query occurs in its name, name pinyin or initials.  Plain ORM ``icontains`` lookups,
so it runs the same on SQLite and PostgreSQL; a full-text index is for a later cut.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
import warnings
from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from pypinyin import Style, lazy_pinyin

from yiwang.catalog.models import ItemStatus, ServiceItem

if TYPE_CHECKING:
    from yiwang.core.models import Organisation

MAX_LIMIT = 100
MAX_QUERY_LENGTH = 100
MAX_CONDITION_TOKENS = 80

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

_WORD_RE = re.compile(r"\w", re.UNICODE)
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


def normalise(text: str) -> str:
    """Lower-case, trim and collapse whitespace."""
    return _SPACE_RE.sub(" ", (text or "").strip().lower())


def tokenize(text: str) -> list[str]:
    """分词 jieba search-mode tokens of ``text``, lower-cased, without whitespace or punctuation."""
    text = normalise(text)
    if not text:
        return []
    tokens = (token.strip() for token in _jieba().cut_for_search(text))
    return list(dict.fromkeys(token for token in tokens if token and _WORD_RE.search(token)))


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
    return [word for word in normalise(text).replace("、", " ").replace("，", " ").split(" ") if word]


def build_search_fields(item: ServiceItem) -> tuple[str, str, str]:
    """(search_text, name_pinyin, name_initials) for an item; reads its body and materials."""
    body = item.implementing_body
    syllables = pinyin_syllables(item.name)
    name_pinyin = "".join(syllables)
    name_initials = pinyin_initials(item.name)
    keywords = [*_words(item.keywords), *_aliases_for(item.name)]
    materials = [material.name for material in item.materials.all()] if item.pk else []
    condition_tokens = [
        token
        for token in tokenize(item.conditions)
        if len(token) >= 2 and token not in STOPWORDS and not token.isdigit()
    ][:MAX_CONDITION_TOKENS]
    parts: list[Iterable[str]] = [
        [item.name],
        tokenize(item.name),
        [body.name, body.short_name],
        tokenize(body.name),
        keywords,
        *(tokenize(keyword) for keyword in keywords),
        [item.result_name],
        tokenize(item.result_name),
        condition_tokens,
        materials,
        *(tokenize(name) for name in materials),
        [name_pinyin, name_initials],
        syllables,
        *(["".join(pinyin_syllables(keyword)), pinyin_initials(keyword)] for keyword in keywords),
    ]
    words = dict.fromkeys(normalise(word) for part in parts for word in part if word and word.strip())
    return " ".join(words), name_pinyin, name_initials


def refresh_search_fields(item: ServiceItem, *, save: bool = True) -> ServiceItem:
    """Rebuild the search columns of ``item`` (call inside the service that changed it)."""
    item.search_text, item.name_pinyin, item.name_initials = build_search_fields(item)
    if save:
        ServiceItem.objects.filter(pk=item.pk).update(
            search_text=item.search_text, name_pinyin=item.name_pinyin, name_initials=item.name_initials
        )
    return item


def _department_filter(department: Organisation | uuid.UUID | str) -> Q | None:
    from yiwang.core.models import Organisation

    if isinstance(department, Organisation):
        return Q(implementing_body=department)
    try:
        public_id = department if isinstance(department, uuid.UUID) else uuid.UUID(str(department))
    except ValueError:
        return None
    return Q(implementing_body__public_id=public_id)


def search_queryset(
    query: str, *, published_only: bool = True, department: Organisation | uuid.UUID | str | None = None
) -> QuerySet[ServiceItem]:
    """The matching items, ranked: exact name (or its pinyin/initials) > name contains the query >
    name has every token > result name or keywords have every token > other matches (conditions,
    materials, body), then popularity (application_count) and name."""
    items = ServiceItem.objects.select_related("implementing_body", "region")
    if published_only:
        items = items.filter(status=ItemStatus.PUBLISHED)
    if department is not None:
        department_q = _department_filter(department)
        if department_q is None:
            return items.none()
        items = items.filter(department_q)
    text = normalise(query)[:MAX_QUERY_LENGTH]
    if not text:
        return items.order_by("-application_count", "name", "pk")
    compact = "".join(_WORD_RE.findall(text))
    tokens = query_tokens(text)
    whole = Q(name__icontains=text)
    if compact:
        whole |= Q(name_pinyin__icontains=compact) | Q(name_initials__icontains=compact)
    every_token_in_text = Q()
    every_token_in_name = Q()
    every_token_in_result = Q()
    for token in tokens:
        every_token_in_text &= Q(search_text__icontains=token)
        every_token_in_name &= Q(name__icontains=token)
        every_token_in_result &= Q(result_name__icontains=token) | Q(keywords__icontains=token)
    match = whole | every_token_in_text if tokens else whole
    exact = Q(name__iexact=text)
    contains = Q(name__icontains=text)
    if compact:
        exact |= Q(name_pinyin=compact) | Q(name_initials=compact)
        contains |= Q(name_pinyin__startswith=compact) | Q(name_initials__startswith=compact)
    never = Q(pk__in=[])
    rank = Case(
        When(exact, then=Value(0)),
        When(contains, then=Value(1)),
        When(every_token_in_name if tokens else never, then=Value(2)),
        When(every_token_in_result if tokens else never, then=Value(3)),
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
) -> tuple[list[ServiceItem], int]:
    """检索事项 One page of matching items and the total count (two queries)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    matches = search_queryset(query, published_only=published_only, department=department)
    total = matches.count()
    return list(matches[offset : offset + limit]), total
