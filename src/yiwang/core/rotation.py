"""Re-encrypting personal data under the active data key (``manage.py rotate_data_keys``).

Walks every table with :mod:`yiwang.core.protected` fields by primary-key ranges, reads the stored
text with raw SQL (so nothing is decrypted that is already on the active key), and rewrites a value
that is on an older key (or still plain) with one compare-and-set ``UPDATE … WHERE pk = %s AND
col = <what was read>``: a row the platform changed meanwhile is left alone (it is already on the
active key).  Re-running it continues where it stopped, since finished rows are skipped.  A plain
(legacy) value also gets its ``<field>_digest``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from yiwang.core.keyring import (
    ProtectedDataError,
    configured_cipher,
    decrypt_text,
    encrypt_text,
    key_id_of,
    keyring,
)
from yiwang.core.protected import DigestField, protected_digest, protected_fields

PLAIN = "(plain)"
UNREADABLE = "(unreadable)"


@dataclass
class ColumnReport:
    label: str  # "accounts.User.phone"
    by_key: Counter[str] = field(default_factory=Counter)  # key id (or PLAIN / UNREADABLE) → values

    def stale(self, active: str) -> int:
        return sum(count for key, count in self.by_key.items() if key != active)


def _digests(model: type[Model]) -> dict[str, DigestField]:
    return {f.source: f for f in model._meta.concrete_fields if isinstance(f, DigestField)}


def _batches(model: type[Model], columns: list[str], batch_size: int) -> Iterator[list[tuple[Any, ...]]]:
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
    select = ", ".join(quote(c) for c in columns)
    last: Any = None
    while True:
        where, params = ("", []) if last is None else (f"WHERE {pk} > %s ", [last])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {select} FROM {table} {where}ORDER BY {pk} LIMIT {int(batch_size)}",  # noqa: S608
                params,
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def count_rows() -> int:
    return sum(model._default_manager.count() for model, _fields in protected_fields())


def check() -> tuple[str, list[ColumnReport]]:
    """(active key id, per column: how many values each key holds)."""
    active, _key = keyring.active_key(configured_cipher())
    reports = []
    for model, fields in protected_fields():
        columns = [str(f.column) for f in fields]
        column_reports = [ColumnReport(f"{model._meta.label}.{f.name}") for f in fields]
        for rows in _batches(model, columns, 2000):
            for row in rows:
                for report, value in zip(column_reports, row[1:], strict=True):
                    if value is None or value == "":
                        continue
                    try:
                        report.by_key[key_id_of(value) or PLAIN] += 1
                    except ProtectedDataError:
                        report.by_key[UNREADABLE] += 1
        reports.extend(column_reports)
    return active, reports


def reencrypt(batch_size: int = 500, progress: Callable[[int], None] | None = None) -> Counter[str]:
    """Rewrite every protected value not on the active key; returns counts by outcome."""
    active, _key = keyring.active_key(configured_cipher())
    quote = connection.ops.quote_name
    outcome: Counter[str] = Counter()
    for model, fields in protected_fields():
        digests = _digests(model)
        table, pk = quote(model._meta.db_table), quote(str(model._meta.pk.column))
        columns = [str(f.column) for f in fields]
        for rows in _batches(model, columns, batch_size):
            with transaction.atomic():
                for row in rows:
                    sets: list[str] = []
                    set_params: list[Any] = []
                    conditions: list[str] = []
                    condition_params: list[Any] = []
                    for protected, value in zip(fields, row[1:], strict=True):
                        if value is None or value == "":
                            continue
                        key_id = key_id_of(value)
                        if key_id == active:
                            continue
                        plain = decrypt_text(value)
                        sets.append(f"{quote(str(protected.column))} = %s")
                        set_params.append(encrypt_text(plain))
                        conditions.append(f"{quote(str(protected.column))} = %s")
                        condition_params.append(value)
                        digest = digests.get(protected.name)
                        if key_id is None and digest is not None:
                            sets.append(f"{quote(str(digest.column))} = %s")
                            set_params.append(protected_digest(plain, digest.canonical))
                    if not sets:
                        outcome["current"] += 1
                        continue
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} = %s AND "  # noqa: S608
                            + " AND ".join(conditions),
                            [*set_params, row[0], *condition_params],
                        )
                        outcome["rewritten" if cursor.rowcount else "changed meanwhile"] += 1
            if progress is not None:
                progress(len(rows))
    return outcome
