"""Migration helper: encrypt the existing plain values of newly protected columns, in batches.

Used by the migrations that turn a plain column into a :mod:`yiwang.core.protected` field::

    migrations.RunPython(*encrypt_columns("accounts", "user", ["phone"]))

It reads and writes with raw SQL (so the fields' own conversions do not run twice), walks the
table by primary-key ranges of ``BATCH`` rows, skips values that are already encrypted (so an
interrupted migration can run again) and fills each field's ``<field>_digest`` column when the
model has one.  The reverse decrypts back to plain text.  SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from yiwang.core.keyring import decrypt_text, encrypt_text, is_envelope
from yiwang.core.protected import protected_digest

BATCH = 500


def _convert(
    apps: Any, schema_editor: Any, app_label: str, model_name: str, fields: Sequence[str], forward: bool
) -> None:
    model = apps.get_model(app_label, model_name)
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = [model._meta.get_field(name).column for name in fields]
    digests: dict[str, tuple[str, str]] = {}
    for name in fields:
        try:
            digest = model._meta.get_field(f"{name}_digest")
        except Exception:  # noqa: S112 - a protected field without a digest column
            continue
        digests[name] = (digest.column, getattr(digest, "canonical", "exact"))
    select = f"SELECT {pk}, {', '.join(quote(c) for c in columns)} FROM {table} WHERE {pk} > %s ORDER BY {pk}"  # noqa: S608
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(select.replace(f"WHERE {pk} > %s ", "") + f" LIMIT {BATCH}")
            else:
                cursor.execute(select + f" LIMIT {BATCH}", [last])
            rows = cursor.fetchall()
        if not rows:
            return
        updates = []
        for row in rows:
            values: list[Any] = []
            sets: list[str] = []
            for name, column, value in zip(fields, columns, row[1:], strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else str(value)
                if forward:
                    plain = decrypt_text(text)
                    stored = text if is_envelope(text) else encrypt_text(plain)
                else:
                    plain = stored = decrypt_text(text)
                sets.append(f"{quote(column)} = %s")
                values.append(stored)
                if name in digests:
                    digest_column, kind = digests[name]
                    sets.append(f"{quote(digest_column)} = %s")
                    values.append(protected_digest(plain, kind) if forward else "")
            if sets:
                updates.append((", ".join(sets), [*values, row[0]]))
        with connection.cursor() as cursor:
            for assignments, params in updates:
                cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", params)  # noqa: S608
        last = rows[-1][0]


def encrypt_columns(app_label: str, model_name: str, fields: Sequence[str]) -> tuple[Callable, Callable]:
    """(forward, reverse) functions for ``migrations.RunPython``."""

    def forward(apps: Any, schema_editor: Any) -> None:
        _convert(apps, schema_editor, app_label, model_name, fields, forward=True)

    def reverse(apps: Any, schema_editor: Any) -> None:
        _convert(apps, schema_editor, app_label, model_name, fields, forward=False)

    return forward, reverse
