"""A lock a process holds for as long as it lives, across the nodes of one database.

On PostgreSQL it is a session-level advisory lock (``pg_try_advisory_lock(namespace, key)``) taken on
a connection of its own, outside Django's connection handling (which closes connections between
requests and jobs).  When the process dies — ``kill -9``, OOM, the node lost — its connection closes
and the server releases the lock at once (a node that vanishes from the network is noticed after the
TCP keepalive set here, about 30 s).  So a lock never blocks forever, and "is the lock free?" tells
whether its holder is alive.

The connection must reach PostgreSQL in session mode: through PgBouncer in transaction mode an
advisory lock would stay on a server connection shared by others; point ``YIWANG_LOCK_DATABASE_URL``
at the server (or a session-mode pool) then.

On SQLite (a single node) it is an exclusive ``flock`` on a file under ``VAR_DIR/locks``, which the
kernel releases when the process dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger("yiwang.locks")

# The first key of the two-key advisory lock: which kind of lock (the second names the holder).
SCHEDULER = 0x59570001
TASK_WORKER = 0x59570002


def key_of(name: str) -> int:
    """A stable signed 32-bit key for a name (advisory locks take two int4 keys)."""
    value = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")
    return value - (1 << 32) if value >= (1 << 31) else value


def on_postgresql() -> bool:
    from django.db import connections

    return bool(connections["default"].vendor == "postgresql")


def _connect() -> Any:
    import psycopg
    from django.conf import settings

    url = os.environ.get("YIWANG_LOCK_DATABASE_URL", "").strip()
    options: dict[str, Any] = {
        "autocommit": True,
        "application_name": "yiwang-lock",
        "connect_timeout": 5,
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 5,
        "keepalives_count": 3,
    }
    if url:
        return psycopg.connect(url, **options)
    db = settings.DATABASES["default"]
    params: dict[str, Any] = {
        "dbname": db.get("NAME"),
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    for name in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if name in db.get("OPTIONS", {}):
            params[name] = db["OPTIONS"][name]
    params = {k: v for k, v in params.items() if v is not None}
    return psycopg.connect(**params, **options)


class ProcessLock:
    """``ProcessLock(namespace, name)``: :meth:`acquire` (non-blocking) and keep; :meth:`held` checks
    the lock is still ours (a PostgreSQL restart drops it); :meth:`release`."""

    def __init__(self, namespace: int, name: str) -> None:
        self.namespace = namespace
        self.name = name
        self.key = key_of(name)
        self._conn: Any = None
        self._file: Any = None

    def acquire(self) -> bool:
        if self.held():
            return True
        self.release()
        if on_postgresql():
            try:
                self._conn = _connect()
                row = self._conn.execute(
                    "SELECT pg_try_advisory_lock(%s, %s)", (self.namespace, self.key)
                ).fetchone()
            except Exception as exc:  # the database is away: not the holder, try again later
                logger.warning("lock %s: %s", self.name, str(exc).strip()[:200])
                self.release()
                return False
            if not row[0]:
                self.release()
                return False
            return True
        from django.conf import settings

        folder = Path(settings.VAR_DIR) / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / f"{self.namespace:x}-{self.key & 0xFFFFFFFF:08x}.lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def held(self) -> bool:
        if self._file is not None:
            return True
        if self._conn is None:
            return False
        try:
            row = self._conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND classid = %s::oid AND objid = %s::oid AND objsubid = 2 AND granted",
                (self.namespace & 0xFFFFFFFF, self.key & 0xFFFFFFFF),
            ).fetchone()
        except Exception:
            self.release()
            return False
        return bool(row[0])

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def holder_alive(namespace: int, name: str) -> bool | None:
    """Whether some process holds the lock ``(namespace, name)`` now (PostgreSQL); ``None`` when it
    cannot be told (SQLite, or the database is away)."""
    if not on_postgresql():
        return None
    key = key_of(name)
    try:
        with _connect() as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::oid "
                "AND objid = %s::oid AND objsubid = 2 AND granted",
                (namespace & 0xFFFFFFFF, key & 0xFFFFFFFF),
            ).fetchone()
    except Exception:
        return None
    return bool(row[0])
