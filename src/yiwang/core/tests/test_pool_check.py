"""Pooled PostgreSQL connections are checked without a round trip, and a dead one is still replaced."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg_pool import ConnectionPool

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pooled connections are a PostgreSQL feature"
)


def conninfo() -> str:
    params = connection.get_connection_params()
    return psycopg.conninfo.make_conninfo(
        **{k: v for k, v in params.items() if k in {"dbname", "user", "password", "host", "port"} and v}
    )


def terminate(pid: int) -> None:
    with psycopg.connect(conninfo(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the server's goodbye reaches the socket


@needs_postgresql
def test_a_live_connection_passes_without_a_query(monkeypatch: pytest.MonkeyPatch) -> None:
    from yiwang.core.postgresql.base import quick_check

    full_checks: list[Any] = []
    original = ConnectionPool.check_connection
    monkeypatch.setattr(
        ConnectionPool, "check_connection", staticmethod(lambda c: full_checks.append(c) or original(c))
    )
    with psycopg.connect(conninfo(), autocommit=True) as conn:
        quick_check(conn)
        assert full_checks == []
        terminate(conn.pgconn.backend_pid)
        with pytest.raises(psycopg.OperationalError):
            quick_check(conn)
        assert full_checks == [conn]


@needs_postgresql
def test_a_terminated_connection_fails_the_check() -> None:
    from yiwang.core.postgresql.base import quick_check

    conn = psycopg.connect(conninfo(), autocommit=True)
    terminate(conn.pgconn.backend_pid)
    with pytest.raises(psycopg.OperationalError):
        quick_check(conn)
    conn.close()
    with pytest.raises(psycopg.OperationalError):
        quick_check(conn)


@needs_postgresql
def test_the_pool_replaces_a_connection_the_server_closed() -> None:
    from yiwang.core.postgresql.base import quick_check

    pool = ConnectionPool(conninfo(), min_size=1, max_size=1, check=quick_check, open=True)
    try:
        with pool.connection() as conn:
            first_pid = conn.pgconn.backend_pid
        terminate(first_pid)
        with pool.connection() as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            assert conn.pgconn.backend_pid != first_pid
    finally:
        pool.close()


@needs_postgresql
def test_the_backend_gives_its_pool_the_quick_check() -> None:
    from yiwang.core.postgresql.base import DatabaseWrapper, quick_check

    settings = {
        **connection.settings_dict,
        "ENGINE": "yiwang.core.postgresql",
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 1}},
    }
    wrapper = DatabaseWrapper(settings, alias="pool_check_test")
    try:
        assert wrapper.pool is not None and wrapper.pool._check is quick_check
    finally:
        wrapper.close_pool()
