"""Lookups at the edge (按公开编号查找): the one "get by public id or 404" the APIs share."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import models

from yiwang.core.errors import CoreErrorCode, NotFound

M = TypeVar("M", bound=models.Model)


def get_by_public_id_or_404(
    queryset: models.QuerySet[M],
    public_id: UUID | str | None,
    *,
    message: str = "未找到",
    code: str = CoreErrorCode.NOT_FOUND,
    **filters: Any,
) -> M:
    """The row of ``queryset`` (already narrowed to what the caller may see) whose ``public_id`` is
    ``public_id`` and that matches ``filters``; otherwise the platform's 404 (``NotFound`` with ``code``).
    A missing or malformed id is simply not found: the same answer as a row the caller may not see."""
    if public_id is None or public_id == "":
        raise NotFound(message, code=code)
    try:
        found = queryset.filter(public_id=public_id, **filters).first()
    except (ValueError, ValidationError):
        found = None
    if found is None:
        raise NotFound(message, code=code)
    return found
