"""同义词维护 Search synonyms kept by service managers (``actor=None`` is the system).

Synonyms are expanded at query time (:func:`yiwang.catalog.search.query_alternatives`), so a change
takes effect on the next query without re-indexing; the cached catalogue pages are invalidated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from yiwang.catalog import cache as catalog_cache
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import Synonym
from yiwang.catalog.permissions import require_service_manager
from yiwang.catalog.reads import is_uuid
from yiwang.catalog.search import WORD_RE, normalise
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound


def _clean_synonym(term: str, equivalents: Iterable[str] | str) -> tuple[str, list[str]]:
    if isinstance(equivalents, str):
        equivalents = re.split(r"[\s,，、;；=]+", equivalents)
    clean_term = normalise(term)
    words = [normalise(word) for word in equivalents if normalise(word)]
    words = [word for word in dict.fromkeys(words) if word != clean_term]
    errors: dict[str, list[str]] = {}
    if not clean_term or len(clean_term) > 50 or not WORD_RE.search(clean_term):
        errors["term"] = ["请填写词条（不超过50字）"]
    if not words:
        errors["equivalents"] = ["请至少填写一个同义词"]
    elif len(words) > 20 or any(len(word) > 50 for word in words):
        errors["equivalents"] = ["最多20个同义词，每个不超过50字"]
    if errors:
        raise DomainError(CatalogErrorCode.INVALID_SYNONYM, "同义词填写不正确", errors)
    return clean_term, words


def save_synonym(
    *,
    actor: object,
    term: str,
    equivalents: Iterable[str] | str,
    note: str = "",
    is_active: bool = True,
    synonym: Synonym | None = None,
) -> Synonym:
    """新增/修改同义词 (service managers; ``actor=None`` is the system).  Takes effect on the next
    query: synonyms are expanded at query time, so no re-indexing is needed."""
    require_service_manager(actor)
    clean_term, words = _clean_synonym(term, equivalents)
    try:
        with transaction.atomic():
            target = synonym or Synonym()
            created = target.pk is None
            target.term, target.equivalents = clean_term, words
            target.note, target.is_active = note.strip()[:200], is_active
            target.save()
            catalog_cache.bump_on_commit()
            audit.record(
                "catalog.synonym.created" if created else "catalog.synonym.updated",
                actor=actor,
                obj=target,
                detail={"term": clean_term, "equivalents": words, "active": is_active},
            )
    except IntegrityError as exc:
        raise Conflict(
            "该词条已存在", code=CatalogErrorCode.INVALID_SYNONYM, fields={"term": ["该词条已存在"]}
        ) from exc
    return target


def delete_synonym(synonym: Synonym, *, actor: object) -> None:
    """删除同义词."""
    require_service_manager(actor)
    with transaction.atomic():
        audit.record("catalog.synonym.deleted", actor=actor, obj=synonym, detail={"term": synonym.term})
        synonym.delete()
        catalog_cache.bump_on_commit()


def get_synonym(public_id: Any) -> Synonym:
    synonym = Synonym.objects.filter(public_id=public_id).first() if is_uuid(public_id) else None
    if synonym is None:
        raise NotFound("同义词不存在", code=CatalogErrorCode.SYNONYM_NOT_FOUND)
    return synonym
