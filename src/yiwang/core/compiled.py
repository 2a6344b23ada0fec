"""Compiled reads (编译缓存): the SQL of a hot ``values_list`` query, built once per shape and process.

Turning a queryset into SQL — resolving names, joins, the select list, the ordering — costs a
to-do page about as much Python as converting its fifty rows, and the page asks the same question
all day with different numbers.  :class:`CompiledRows` keeps, per *shape* (what the SQL text
depends on: the number of values in an ``IN``, the slice), the SQL and the compiler that converts
its rows (Django's own converters, so SQLite and PostgreSQL give the same Python values as the ORM;
they read only settings-derived attributes of the connection the compiler was made with).

Parameters are **named**: the caller passes ``{"organisation_id": 7, "statuses": ("accepted",
"submitted")}`` and never writes their order.  The first time a shape is seen the queryset is
compiled with that call's values, and each parameter of the SQL is matched to the one named value
(or element of a named sequence) equal to it, with the same type.  The shape is kept only when that
match is exact — every SQL parameter has exactly one source and every named value is used; an
ambiguous match (two named values equal) only sends this call to the ORM, a failed one sends the
shape to the ORM for good.  Later calls build the parameter list from their own named values in the
matched order.  So the compiled path either provably gives the ORM's answer or is not taken
(``tests/test_compiled.py``).

Off switch: ``settings.YIWANG_COMPILED_ROWS = False`` (every call goes through the ORM);
docs/adr/0004-compiled-rows.md.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

# Where one SQL parameter comes from: (name, None) for a scalar, (name, index) for an element of a
# named sequence.
Source = tuple[str, int | None]


class Ambiguous(Exception):
    """Two named values could each be a parameter: this call cannot prove the order."""


def enabled() -> bool:
    return bool(getattr(settings, "YIWANG_COMPILED_ROWS", True))


def _flatten(params: Mapping[str, Any]) -> list[tuple[Source, Any]]:
    """Every named value with where it comes from; sequences (not strings) give their elements."""
    flat: list[tuple[Source, Any]] = []
    for name, value in params.items():
        if isinstance(value, Sequence) and not isinstance(value, str | bytes):
            flat.extend(((name, index), element) for index, element in enumerate(value))
        else:
            flat.append(((name, None), value))
    return flat


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def match_parameters(compiled: Sequence[Any], params: Mapping[str, Any]) -> list[Source] | None:
    """The source of each compiled parameter among the named ``params``, or None when they do not
    correspond one to one.  Raises :class:`Ambiguous` when a parameter has more than one source."""
    flat = _flatten(params)
    plan: list[Source] = []
    for value in compiled:
        sources = [source for source, named in flat if _same(named, value)]
        if not sources:
            return None
        if len(set(sources)) > 1:
            raise Ambiguous(value)
        plan.append(sources[0])
    if {source for source, _ in flat} != set(plan):
        return None  # a named value the SQL does not take: the caller and the query disagree
    return plan


def bind(plan: Sequence[Source], params: Mapping[str, Any]) -> list[Any]:
    """The SQL parameter list of one call, in the matched order."""
    return [params[name] if index is None else params[name][index] for name, index in plan]


class CompiledRows:
    """One hot ``values_list`` query: ``rows(build, shape, params)`` → its rows as tuples."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._shapes: dict[Hashable, tuple[str, SQLCompiler, list[Source]] | None] = {}

    def rows(
        self, build: Callable[[], QuerySet[Any]], shape: Hashable, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        """``build()`` makes the queryset (a ``values_list``, sliced as it will be); ``params``
        names the values its SQL takes (in any order); ``shape`` names everything else its SQL
        depends on (e.g. how many statuses, the slice)."""
        if not enabled():
            return list(build())
        with self._lock:
            known = shape in self._shapes
            compiled = self._shapes.get(shape)
        if not known:
            qs = build()
            compiler = qs.query.get_compiler(using=qs.db)
            sql, compiled_params = compiler.as_sql()
            try:
                plan = match_parameters(list(compiled_params), params)
            except Ambiguous:
                return list(qs)  # not provable with these values; another call may prove it
            compiled = None if plan is None else (sql, compiler, plan)
            with self._lock:
                self._shapes.setdefault(shape, compiled)
            if compiled is None:
                return list(qs)
        if compiled is None:
            return list(build())
        sql, compiler, plan = compiled
        with connections[compiler.using or DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, bind(plan, params))
            fetched = cursor.fetchall()
        return [tuple(row) for row in compiler.results_iter([fetched], tuple_expected=True)]

    def shapes(self) -> dict[Hashable, bool]:
        """Which shapes are compiled (True) or left to the ORM (False) — for tests and checks."""
        with self._lock:
            return {shape: compiled is not None for shape, compiled in self._shapes.items()}

    def forget(self) -> None:
        with self._lock:
            self._shapes.clear()
