"""Keyset ("seek") pagination (键集分页): a page of N rows after or before an opaque cursor.

``OFFSET n`` makes the database read and throw away ``n`` rows, so page 60 of a clerk's queue costs
sixty pages.  A keyset page instead remembers the ordering key of the last (or first) row it showed
and asks for the rows strictly after (or before) it — one index range scan whatever the depth.

Usage (a view)::

    page = keyset_page(qs, ("-due_date", "-id"), request.GET.get("cursor"), size=50)
    page.rows                       # at most 50 rows, in the queryset's order
    page.next_query(request.GET)    # "?status=x&cursor=…" or "" when there is no next page
    page.previous_query(request.GET)

Rules for the ordering:

- the last field must be unique (the primary key), so the key of a row is unique and a page never
  repeats nor skips a row; add ``"id"`` / ``"-id"`` as a tie-breaker;
- the fields must not be NULL for the rows listed (SQL comparisons with NULL are never true):
  filter them out or order by a ``Coalesce`` annotation;
- a field may cross relations (``"case__submitted_at"``) or name an annotation of ``qs``.

The cursor is ``base64url(JSON)`` of the direction and the key values; nothing secret is in it and
nothing needs to be: a forged cursor only seeks to another position of the same filtered queryset.
It is validated at the edge — length, shape, number and type of the values (each converted by its
model field's ``to_python``) — and a bad one is :class:`InvalidCursor`: pages show the first page
(``invalid="first"``, the default), an API answers 400 (``invalid="raise"``).  Never a 500.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cmp_to_key
from typing import Any, Literal
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, models
from django.db.models import Q, QuerySet

DEFAULT_SIZE = 50
MAX_SIZE = 200
MAX_CURSOR_LENGTH = 1024  # characters of the encoded cursor; longer is forged
CURSOR_PARAM = "cursor"

Direction = Literal["next", "prev"]


class InvalidCursor(ValueError):
    """A cursor that is not one this module wrote for this ordering (forged, truncated, stale)."""


@dataclass(frozen=True)
class Cursor:
    direction: Direction
    values: tuple[Any, ...]


# --- encoding ---------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A JSON scalar for a key value (the field's ``to_python`` turns it back)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    raise TypeError(f"cannot put a {type(value).__name__} in a keyset cursor")


def encode_cursor(direction: Direction, values: Sequence[Any]) -> str:
    """The opaque cursor of ``values`` (a row's ordering key) for a page ``direction`` of it."""
    payload = {"d": "n" if direction == "next" else "p", "k": [_plain(value) for value in values]}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str | None, *, size: int | None = None) -> Cursor:
    """The direction and raw key values of ``text``; :class:`InvalidCursor` unless well formed (and,
    given ``size``, holding exactly that many values).  Values are JSON scalars here: convert them
    with :func:`keyset_page` (which knows the fields)."""
    if not text or not isinstance(text, str) or len(text) > MAX_CURSOR_LENGTH or not text.isascii():
        raise InvalidCursor("cursor missing or too long")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursor("cursor is not base64 JSON") from exc
    if not isinstance(payload, dict) or set(payload) != {"d", "k"}:
        raise InvalidCursor("cursor has the wrong shape")
    direction, values = payload["d"], payload["k"]
    if direction not in ("n", "p") or not isinstance(values, list) or not values:
        raise InvalidCursor("cursor has the wrong shape")
    if size is not None and len(values) != size:
        raise InvalidCursor("cursor has the wrong number of values")
    for value in values:
        if isinstance(value, dict | list) or (isinstance(value, str) and len(value) > 256):
            raise InvalidCursor("cursor value is not a scalar")
    return Cursor("next" if direction == "n" else "prev", tuple(values))


# --- ordering ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrderKey:
    name: str  # lookup path, e.g. "due_date" or "case__submitted_at"
    descending: bool
    model_field: models.Field[Any, Any] | None = field(default=None, compare=False)

    def to_python(self, value: Any) -> Any:
        if value is None:
            raise InvalidCursor("cursor value is null")
        if self.model_field is None:
            if isinstance(value, bool | int | float | str):
                return value
            raise InvalidCursor("cursor value has the wrong type")
        if isinstance(value, bool) and not isinstance(self.model_field, models.BooleanField):
            raise InvalidCursor("cursor value has the wrong type")
        if isinstance(value, float) and isinstance(self.model_field, models.IntegerField):
            raise InvalidCursor("cursor value has the wrong type")
        try:
            converted = self.model_field.to_python(value)
        except (ValidationError, TypeError, ValueError, OverflowError, decimal.InvalidOperation) as exc:
            raise InvalidCursor("cursor value has the wrong type") from exc
        if converted is None:
            raise InvalidCursor("cursor value is null")
        naive = isinstance(converted, dt.datetime) and converted.tzinfo is None
        if isinstance(self.model_field, models.DateTimeField) and naive:
            raise InvalidCursor("cursor datetime has no time zone")
        if isinstance(converted, int) and not isinstance(converted, bool) and abs(converted) > 2**63 - 1:
            raise InvalidCursor("cursor integer out of range")
        return converted


def _model_field(model: type[models.Model], path: str) -> models.Field[Any, Any] | None:
    """The model field at the end of ``path`` (``a__b``), or None for an annotation."""
    current: Any = model
    found: Any = None
    for part in path.split("__"):
        if current is None:
            return None
        try:
            found = current._meta.get_field("id" if part == "pk" and current is model else part)
        except FieldDoesNotExist:
            if part == "pk":
                found = current._meta.pk
            else:
                return None
        current = found.related_model if found.is_relation else None
    if found is not None and found.is_relation:
        target = found.target_field if hasattr(found, "target_field") else None
        return target  # a foreign key orders by its target's value
    return found  # type: ignore[no-any-return]


def order_keys(model: type[models.Model], ordering: Sequence[str]) -> tuple[OrderKey, ...]:
    if not ordering:
        raise ValueError("keyset pagination needs an ordering")
    keys = []
    for item in ordering:
        descending = item.startswith("-")
        name = item.lstrip("-+")
        keys.append(OrderKey(name, descending, _model_field(model, name)))
    return tuple(keys)


def _seek(keys: Sequence[OrderKey], values: Sequence[Any], *, after: bool) -> Q:
    """Rows strictly after (``after``) or before the key ``values`` in the order of ``keys``:
    ``k1 ≷ v1 OR (k1 = v1 AND (k2 ≷ v2 OR (…)))``, with ``k1 ≷= v1`` in front so the database
    can range-scan an index on the first key."""

    def op(key: OrderKey, strict: bool) -> str:
        greater = after != key.descending
        return ("gt" if greater else "lt") + ("" if strict else "e")

    condition: Q | None = None
    for key, value in reversed(list(zip(keys, values, strict=True))):
        strict = Q(**{f"{key.name}__{op(key, True)}": value})
        condition = strict if condition is None else strict | (Q(**{key.name: value}) & condition)
    assert condition is not None
    first = keys[0]
    if len(keys) > 1:
        condition = Q(**{f"{first.name}__{op(first, False)}": values[0]}) & condition
    return condition


def row_key(row: Any, keys: Sequence[OrderKey]) -> tuple[Any, ...]:
    """The ordering key of ``row`` (a model instance or a ``values()`` dict)."""
    out = []
    for key in keys:
        if isinstance(row, Mapping):
            value = row[key.name]
        else:
            value = row
            for part in key.name.split("__"):
                value = getattr(value, part)
            if isinstance(value, models.Model):
                value = value.pk
        out.append(value)
    return tuple(out)


# --- the page ---------------------------------------------------------------------------------------
@dataclass
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None
    size: int
    cursor_invalid: bool = False
    param: str = CURSOR_PARAM

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def _query(self, params: Mapping[str, Any] | None, cursor: str | None) -> str:
        if cursor is None:
            return ""
        return query_with(params, **{self.param: cursor})

    def next_query(self, params: Mapping[str, Any] | None = None) -> str:
        """``?…&cursor=…`` of the next page (the other parameters of ``params`` kept), or ""."""
        return self._query(params, self.next_cursor)

    def previous_query(self, params: Mapping[str, Any] | None = None) -> str:
        return self._query(params, self.previous_cursor)


def query_with(params: Mapping[str, Any] | None, **updates: str | None) -> str:
    """``?a=1&b=2`` from ``params`` (a ``QueryDict`` or dict) with ``updates`` set (None drops)."""
    items: list[tuple[str, str]] = []
    if params is not None:
        getlist = getattr(params, "getlist", None)
        for name in params:
            if name in updates:
                continue
            values = getlist(name) if getlist else [params[name]]
            items.extend((name, str(value)) for value in values)
    items.extend((name, value) for name, value in updates.items() if value is not None)
    return "?" + urlencode(items) if items else ""


def bounded_size(size: Any, *, default: int = DEFAULT_SIZE, maximum: int = MAX_SIZE) -> int:
    try:
        value = int(size)
    except (TypeError, ValueError, OverflowError):
        return default
    return max(1, min(value, maximum))


def _fetch(
    parts: Sequence[QuerySet[Any]],
    condition: Q | None,
    order: Sequence[str],
    keys: Sequence[OrderKey],
    limit: int,
    *,
    reverse: bool,
) -> list[Any]:
    """The first ``limit`` rows of the union of ``parts`` in ``order``.

    Each part is read with its own ``ORDER BY … LIMIT`` — a range of its index — and the parts'
    rows are merged, which a single ``a OR b`` query cannot make the database do: it reads and sorts
    every matching row for a page of 50 (docs/adr/0009).  Where the database takes a limit inside a
    compound statement (PostgreSQL) all parts go in one ``(…) UNION ALL (…)`` statement; elsewhere
    (SQLite) one statement a part, merged here."""
    ordered = [
        (part if condition is None else part.filter(condition)).order_by(*order)[:limit] for part in parts
    ]
    if len(ordered) == 1:
        return list(ordered[0])
    if connections[parts[0].db].features.supports_slicing_ordering_in_compound:
        first, *others = ordered
        return list(first.union(*others, all=True).order_by(*order)[:limit])
    rows = [row for part in ordered for row in part]
    descending = [key.descending != reverse for key in keys]

    def compare(a: Any, b: Any) -> int:
        for ka, kb, desc in zip(row_key(a, keys), row_key(b, keys), descending, strict=True):
            if ka != kb:
                return (1 if ka < kb else -1) if desc else (-1 if ka < kb else 1)
        return 0

    rows.sort(key=cmp_to_key(compare))
    return rows[:limit]


def keyset_page(
    qs: QuerySet[Any] | Sequence[QuerySet[Any]],
    ordering: Sequence[str],
    cursor: str | None,
    *,
    size: int = DEFAULT_SIZE,
    invalid: Literal["first", "raise"] = "first",
    param: str = CURSOR_PARAM,
) -> KeysetPage:
    """One page of ``qs`` in ``ordering`` (its last field unique): the first ``size`` rows, or the
    ``size`` rows after / before the row ``cursor`` names.  One query (``size + 1`` rows read to
    know whether there is a further page).  A bad cursor gives the first page with
    ``cursor_invalid`` set, or raises :class:`InvalidCursor` with ``invalid="raise"``.

    ``qs`` may be a sequence of **disjoint** querysets of one model whose union is the list (e.g.
    "filed by me" and "filed for others by me"): each is read with the same seek and limit, one
    statement for all of them on PostgreSQL (:func:`_fetch`)."""
    size = bounded_size(size)
    parts: Sequence[QuerySet[Any]] = [qs] if isinstance(qs, QuerySet) else list(qs)
    keys = order_keys(parts[0].model, ordering)
    forward = [f"{'-' if k.descending else ''}{k.name}" for k in keys]
    backward = [f"{'' if k.descending else '-'}{k.name}" for k in keys]
    parsed: Cursor | None = None
    next_cursor: str | None
    previous_cursor: str | None
    bad = False
    if cursor:
        try:
            raw = decode_cursor(cursor, size=len(keys))
            parsed = Cursor(
                raw.direction, tuple(k.to_python(v) for k, v in zip(keys, raw.values, strict=True))
            )
        except InvalidCursor:
            if invalid == "raise":
                raise
            bad = True

    if parsed is None:
        rows = _fetch(parts, None, forward, keys, size + 1, reverse=False)
        more = len(rows) > size
        rows = rows[:size]
        next_cursor = encode_cursor("next", row_key(rows[-1], keys)) if more else None
        return KeysetPage(rows, next_cursor, None, size, cursor_invalid=bad, param=param)

    if parsed.direction == "next":
        rows = _fetch(parts, _seek(keys, parsed.values, after=True), forward, keys, size + 1, reverse=False)
        more = len(rows) > size
        rows = rows[:size]
        next_cursor = encode_cursor("next", row_key(rows[-1], keys)) if more else None
        # Came from somewhere: there is a page before (the cursor row itself at least).
        previous_cursor = (
            encode_cursor("prev", row_key(rows[0], keys)) if rows else encode_cursor("prev", parsed.values)
        )
        return KeysetPage(rows, next_cursor, previous_cursor, size, param=param)

    rows = _fetch(parts, _seek(keys, parsed.values, after=False), backward, keys, size + 1, reverse=True)
    more = len(rows) > size
    rows = rows[:size]
    rows.reverse()
    previous_cursor = encode_cursor("prev", row_key(rows[0], keys)) if more else None
    next_cursor = (
        encode_cursor("next", row_key(rows[-1], keys)) if rows else encode_cursor("next", parsed.values)
    )
    return KeysetPage(rows, next_cursor, previous_cursor, size, param=param)
