"""Emptying the PostgreSQL test database between transactional tests with DELETE, not TRUNCATE.

Django empties every table after each transactional test (the browser tests, the live-server and
thread tests) with one ``TRUNCATE`` of all ~200 tables.  PostgreSQL gives each truncated table a new
file, so that costs ~0.65 s on an idle machine and many seconds on a busy one, while the tables hold
a few rows.  ``DELETE FROM`` each table, with the foreign keys deferred to the end of the flush's
transaction (every foreign key Django creates is ``DEFERRABLE INITIALLY DEFERRED``; the test
``test_every_foreign_key_is_deferrable`` keeps it so), takes ~0.07 s.  The audit trail's
append-only triggers let the test runner's sessions delete (``yiwang.core.audit_guard``).

Test-only: ``conftest.py`` installs it; a flush that also resets sequences keeps Django's
``TRUNCATE … RESTART IDENTITY``.  Off with ``YIWANG_TEST_DELETE_FLUSH=0``.
"""

from __future__ import annotations

import os
from typing import Any

from django.db.backends.postgresql.operations import DatabaseOperations

_DJANGO_SQL_FLUSH = DatabaseOperations.sql_flush


def delete_flush(
    self: DatabaseOperations,
    style: Any,
    tables: list[str],
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    if not tables or reset_sequences:
        return _DJANGO_SQL_FLUSH(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    return [
        "SET CONSTRAINTS ALL DEFERRED",
        *(f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};" for t in tables),
    ]


def install() -> None:
    if os.environ.get("YIWANG_TEST_DELETE_FLUSH", "1") != "0":
        DatabaseOperations.sql_flush = delete_flush  # type: ignore[method-assign,assignment]
