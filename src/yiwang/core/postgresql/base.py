"""PostgreSQL backend: Django's, with a health check of pooled connections that needs no round trip.

With ``CONN_HEALTH_CHECKS`` Django gives psycopg's pool :meth:`ConnectionPool.check_connection`, which
sends an empty query to the server each time a request borrows a connection: ~130 µs of waiting and
~75 µs of CPU, on requests that take 1.5–2 ms in all.  :func:`quick_check` looks at the socket
instead.  An idle connection has nothing to read; one the server closed — restart, idle timeout,
``pg_terminate_backend`` — has its goodbye (an error message, then EOF) waiting, and only then is the
full check run, which fails and makes the pool open a new connection.  A silently dropped network
path is caught neither way before the query (the TCP keepalive settings cover it).

The check is given to the pool through psycopg_pool's public ``ConnectionPool(check=...)`` parameter
(psycopg_pool ≥ 3.2).  Django builds the pool itself and passes ``check`` from
``CONN_HEALTH_CHECKS``, so :meth:`DatabaseWrapper.pool` builds it the same way with
:func:`quick_check` instead; ``tests/test_pool_check.py`` holds it to Django's options.

Off switch: ``settings.YIWANG_DB_POOL_QUICK_CHECK = False`` leaves the pool to Django, with
psycopg's full check (``YIWANG_DB_POOL=0`` turns the pool, and with it this backend, off);
docs/adr/0006-pool-check-by-socket.md.
"""

from __future__ import annotations

import select
from collections.abc import Callable
from typing import Any

import psycopg
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base as postgresql
from psycopg_pool import ConnectionPool


def quick_check(connection: psycopg.Connection[Any]) -> None:
    """Raise if the pooled ``connection`` is unusable; a round trip only when the socket has news."""
    if connection.closed or connection.broken:
        raise psycopg.OperationalError("connection closed")
    try:
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError) as exc:
        raise psycopg.OperationalError(f"connection socket unusable: {exc}") from exc
    if readable:
        ConnectionPool.check_connection(connection)


def quick_check_enabled() -> bool:
    return bool(getattr(settings, "YIWANG_DB_POOL_QUICK_CHECK", True))


class DatabaseWrapper(postgresql.DatabaseWrapper):
    # Django's own (not in django-stubs): the process's pools by alias, and the per-connection setup.
    _connection_pools: dict[str, ConnectionPool]
    _configure_connection: Callable[[psycopg.Connection[Any]], None]

    @property
    def pool(self) -> ConnectionPool | None:
        """Django's pool (``OPTIONS["pool"]``), built with ``check=quick_check`` when health checks
        are on; otherwise exactly Django's (no pool, no checks, or the quick check switched off)."""
        pool_options = self.settings_dict["OPTIONS"].get("pool")
        if (
            self.alias == NO_DB_ALIAS
            or not pool_options
            or not self.settings_dict["CONN_HEALTH_CHECKS"]
            or not quick_check_enabled()
        ):
            pool: ConnectionPool | None = super().pool
            return pool
        if self.alias not in self._connection_pools:
            # As Django's DatabaseWrapper.pool (5.1+), with the check chosen here.
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            connect_kwargs = self.get_connection_params()
            connect_kwargs["autocommit"] = True  # Django sets the real mode later on
            created = ConnectionPool(
                kwargs=connect_kwargs,
                open=False,
                configure=self._configure_connection,
                check=quick_check,
                **({} if pool_options is True else pool_options),
            )
            self._connection_pools.setdefault(self.alias, created)
        return self._connection_pools[self.alias]
