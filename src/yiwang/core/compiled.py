"""Compiled reads (编译缓存): the SQL of a hot ``values_list`` query, built once per shape and process.

Turning a queryset into SQL — resolving names, joins, the select list, the ordering — costs a
to-do page about as much Python as converting its fifty rows, and the page asks the same question
all day with different numbers.  :class:`CompiledRows` keeps, per *shape* (what the SQL text
depends on: the number of values in an ``IN``, the slice), the SQL and the compiler that converts
its rows (Django's own converters, so SQLite and PostgreSQL give the same Python values as the ORM;
they read only settings-derived attributes of the connection the compiler was made with).

It is used only when it provably gives the ORM's answer: the first time a shape is seen the
queryset is compiled with that call's values, and the shape is kept only if the compiled parameters
are exactly the ones the caller says it will pass; otherwise that shape always goes through the
ORM (``tests/test_compiled.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


class CompiledRows:
    """One hot ``values_list`` query: ``rows(build, shape, params)`` → its rows as tuples."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._shapes: dict[Hashable, tuple[str, SQLCompiler] | None] = {}

    def rows(
        self, build: Callable[[], QuerySet[Any]], shape: Hashable, params: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        """``build()`` makes the queryset (a ``values_list``, sliced as it will be); ``params`` are
        the values its SQL takes, in order; ``shape`` names everything else its SQL depends on."""
        with self._lock:
            known = shape in self._shapes
            compiled = self._shapes.get(shape)
        if not known:
            qs = build()
            compiler = qs.query.get_compiler(using=qs.db)
            sql, compiled_params = compiler.as_sql()
            compiled = (sql, compiler) if list(compiled_params) == list(params) else None
            with self._lock:
                self._shapes.setdefault(shape, compiled)
            if compiled is None:
                return list(qs)
        if compiled is None:
            return list(build())
        sql, compiler = compiled
        with connections[compiler.using or DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, list(params))
            fetched = cursor.fetchall()
        return [tuple(row) for row in compiler.results_iter([fetched], tuple_expected=True)]

    def shapes(self) -> dict[Hashable, bool]:
        """Which shapes are compiled (True) or left to the ORM (False) — for tests and checks."""
        with self._lock:
            return {shape: compiled is not None for shape, compiled in self._shapes.items()}

    def forget(self) -> None:
        with self._lock:
            self._shapes.clear()
