"""Tasks with a counted effect, for the tests of background work across nodes (not used in production).

:func:`counted_effect` writes down every attempt (outside any transaction, so an attempt that is
killed half-way is still counted), sleeps a while (a window to kill its worker in) and then makes its
effect the way the platform's tasks do: inside a transaction, under a lock, it looks for what it
would create and creates it only when absent.  Attempts can exceed tasks (a task requeued after its
worker died runs again); effects must equal tasks.

:func:`record_scheduled_run` writes down one run of a scheduled job (``YIWANG_SCHEDULER_PROBE``).

The tables are plain SQL made on first use (``ensure_tables``), dropped by the tests.
"""

from __future__ import annotations

import os
import socket
import time

from django.db import connection, transaction
from django_tasks import task

from yiwang.core.task_backends.locks import key_of

TABLES = ("yiwang_probe_attempt", "yiwang_probe_effect", "yiwang_probe_scheduled_run")


def ensure_tables() -> None:
    serial = "BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER"
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (id {serial} PRIMARY KEY, "
                "key VARCHAR(200) NOT NULL, worker VARCHAR(200) NOT NULL, at DOUBLE PRECISION NOT NULL)"
            )


def drop_tables() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _me() -> str:
    return f"{socket.gethostname()[:40]}-pid{os.getpid()}"


def _insert(table: str, key: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, worker, at) VALUES (%s, %s, %s)",  # noqa: S608
            [key, _me(), time.time()],
        )


@task()
def counted_effect(key: str, seconds: float = 0.0) -> str:
    """One attempt recorded, a pause, then the effect made once (see the module)."""
    ensure_tables()
    _insert("yiwang_probe_attempt", key)
    if seconds:
        time.sleep(seconds)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x59570003, key_of(key)])
            cursor.execute("SELECT count(*) FROM yiwang_probe_effect WHERE key = %s", [key])
            (present,) = cursor.fetchone()
        if not present:
            _insert("yiwang_probe_effect", key)
    return key


def record_scheduled_run(name: str) -> None:
    """One run of a scheduled probe job (yiwang.core.scheduler.probe_jobs)."""
    ensure_tables()
    _insert("yiwang_probe_scheduled_run", name)


def counts(table: str) -> dict[str, int]:
    """``{key: rows}`` of one probe table."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, count(*) FROM {table} GROUP BY key")  # noqa: S608
        return {str(key): int(n) for key, n in cursor.fetchall()}
