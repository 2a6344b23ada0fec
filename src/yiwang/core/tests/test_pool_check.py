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


def pooled_settings(engine: str = "yiwang.core.postgresql") -> dict[str, Any]:
    return {
        **connection.settings_dict,
        "ENGINE": engine,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"pool": {"min_size": 1, "max_size": 1, "timeout": 5}},
    }


def borrow_once(wrapper: Any) -> None:
    pool = wrapper.pool
    pool.open(wait=True)
    with pool.connection() as conn:
        conn.execute("SELECT 1")
    with pool.connection() as conn:  # borrowed again: checked
        conn.execute("SELECT 1")


@needs_postgresql
def test_the_backend_gives_its_pool_the_quick_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through psycopg_pool's public ``check`` parameter: the pool calls quick_check on a borrow."""
    from yiwang.core.postgresql import base

    calls: list[Any] = []
    original = base.quick_check
    monkeypatch.setattr(base, "quick_check", lambda conn: calls.append(conn) or original(conn))
    wrapper = base.DatabaseWrapper(pooled_settings(), alias="pool_check_test")
    try:
        borrow_once(wrapper)
        assert calls, "the pool did not call the quick check"
    finally:
        wrapper.close_pool()


@needs_postgresql
def test_the_pool_has_djangos_options() -> None:
    """Built here instead of by Django: the same connection parameters and sizes as Django's own
    backend would give it (fails loudly when Django changes how it builds its pool)."""
    from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

    from yiwang.core.postgresql.base import DatabaseWrapper

    ours = DatabaseWrapper(pooled_settings(), alias="pool_ours")
    django = DjangoWrapper(pooled_settings("django.db.backends.postgresql"), alias="pool_django")
    try:
        for attribute in ("kwargs", "min_size", "max_size", "timeout", "max_lifetime", "max_idle"):
            assert getattr(ours.pool, attribute) == getattr(django.pool, attribute), attribute
    finally:
        ours.close_pool()
        django.close_pool()


@needs_postgresql
def test_switched_off_the_pool_is_djangos_with_the_full_check(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from yiwang.core.postgresql import base

    settings.YIWANG_DB_POOL_QUICK_CHECK = False
    quick: list[Any] = []
    full: list[Any] = []
    monkeypatch.setattr(base, "quick_check", lambda conn: quick.append(conn))
    original = ConnectionPool.check_connection
    monkeypatch.setattr(
        ConnectionPool, "check_connection", staticmethod(lambda c: full.append(c) or original(c))
    )
    wrapper = base.DatabaseWrapper(pooled_settings(), alias="pool_check_off")
    try:
        borrow_once(wrapper)
        assert quick == [] and full, "switched off, the pool runs psycopg's full check"
    finally:
        wrapper.close_pool()
