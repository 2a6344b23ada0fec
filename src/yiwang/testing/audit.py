"""Tampering with the audit trail the way its database's owner could (tests only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

from yiwang.core.audit_guard import set_maintenance

AUDIT_TABLES = ("core_auditevent", "core_auditchainhead")


@contextmanager
def audit_triggers_disabled(using: str = "default") -> Iterator[None]:
    """Switch off the database's refusal to change audit rows, as an owner of the database can
    (PostgreSQL: ``ALTER TABLE … DISABLE TRIGGER``; SQLite: drop the triggers), and put it back."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred check: run the pending foreign-key checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in AUDIT_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            try:
                yield
            finally:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                for table in AUDIT_TABLES:
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)",
            AUDIT_TABLES,
        )
        triggers = cursor.fetchall()
        assert triggers, "the audit triggers are missing"
        for name, _ in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        try:
            yield
        finally:
            for _, sql in triggers:
                cursor.execute(sql)


@contextmanager
def maintenance_off(using: str = "default") -> Iterator[None]:
    """This session as the running application's: no maintenance switch (tests turn it on)."""
    connection = connections[using]
    connection.ensure_connection()
    set_maintenance(connection, False)
    try:
        yield
    finally:
        set_maintenance(connection, True)
