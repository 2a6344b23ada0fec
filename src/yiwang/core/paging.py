"""Bounded paging (分页上限): one schema for every list endpoint of the API, one helper for every
paged HTML page.

Before this, each endpoint took ``offset``/``limit`` as bare integers and each page parsed
``?page=`` itself.  A negative offset reached Django's slicing (``ValueError``), a huge one the
database (SQLite ``OverflowError``, PostgreSQL ``bigint out of range``): both were HTTP 500, some
for anonymous callers.  Now:

- the API declares ``paging: Query[PageIn]`` (or :class:`ShortPageIn`): ``offset`` 0 … 1 000 000,
  ``limit`` 1 … 200; anything else — negative, huge, not a number — is a ``422 validation_error``
  in the one error shape, naming the field;
- pages call :func:`paginate` (or :func:`page_number` when they page by hand): a bad ``?page=``
  is page 1, a too large one the last page — a page never fails on its page number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from ninja import Field, Schema

MAX_OFFSET = 1_000_000
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
SHORT_LIMIT = 20

T = TypeVar("T")


class PageIn(Schema):
    """``?offset=&limit=`` of a list endpoint: ``offset`` rows skipped, at most ``limit`` returned."""

    offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"跳过的条数, 0–{MAX_OFFSET}")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数, 1–{MAX_LIMIT}")

    @property
    def end(self) -> int:
        return self.offset + self.limit

    def window(self, rows: QuerySet[Any] | Sequence[T]) -> Any:
        """``rows[offset : offset + limit]`` (a queryset stays lazy)."""
        return rows[self.offset : self.end]


class ShortPageIn(PageIn):
    """The same bounds, 20 rows by default (an applicant's own lists)."""

    limit: int = Field(SHORT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数, 1–{MAX_LIMIT}")


def bounded_limit(limit: int, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    """A limit for code that is not behind :class:`PageIn` (a command, a service)."""
    try:
        value = int(limit)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(1, min(value, maximum))


# --- HTML pages -------------------------------------------------------------------------------------
def max_page(per_page: int) -> int:
    """The highest page number a page of ``per_page`` rows may ask for (offset ≤ MAX_OFFSET)."""
    return MAX_OFFSET // max(1, per_page) + 1


def page_number(raw: Any, *, per_page: int) -> int:
    """``?page=`` as 1 … :func:`max_page`: missing or not a whole number → 1, below 1 → 1, too large
    → the highest page allowed (the paginator then shows its last page)."""
    text = str(raw or "").strip()
    if not text or len(text) > 20 or not text.lstrip("+-").isdigit() or not text.isascii():
        return 1
    return max(1, min(int(text), max_page(per_page)))


def paginate(params: Mapping[str, Any] | Any, object_list: Any, per_page: int, *, name: str = "page") -> Page:
    """A :class:`~django.core.paginator.Page` of ``object_list`` for ``params[name]`` (a request's
    ``GET``, or the request itself), clamped to the pages that exist — never an error."""
    values = getattr(params, "GET", params)
    number = page_number(values.get(name), per_page=per_page)
    return Paginator(object_list, per_page).get_page(number)
