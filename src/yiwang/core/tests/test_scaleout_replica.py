"""A PostgreSQL primary and its streaming replica, read-your-writes on a lagging replica (issue #26, ADR 0021).

``scripts/pg_replica.py start`` makes the primary (``initdb``) and the replica (``pg_basebackup -R``,
hot standby) on free ports with Debian's PostgreSQL 15 programs; the platform's schema and this
test's rows (a published item, its service manager, a citizen) are copied from the test database
with ``pg_dump``.  One real web node (``yiwang serve``) runs with ``DATABASE_URL`` on the primary,
``DATABASE_REPLICA_URL`` on the replica and Redis as its cache.  With WAL replay paused on the
replica (``pg_wal_replay_pause()``) a stale read is visible:

* a row written on the primary is on the replica once replay runs, and not while it is paused;
* the published guide (a catalogue read) comes from the replica: the citizen sees the stale item;
* the manager who withdrew the item reads from the primary: on the device that wrote (the
  ``yiwang_rw`` cookie) and on another device of his (the per-user mark in Redis), until the window
  (``YIWANG_READ_YOUR_WRITES_SECONDS``) ends, after which he reads the replica again.

PostgreSQL only (skipped on SQLite), needs Redis.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.test import Client

from yiwang.accounts.services import issue_api_token
from yiwang.core.keyring import keyring
from yiwang.testing import portal
from yiwang.testing.scaleout import (
    REDIS_URL,
    ROOT,
    cache_prefix,
    database_url_of,
    node_env,
    nodes,
    redis_available,
)

SCRIPT = ROOT / "scripts" / "pg_replica.py"
sys.path.insert(0, str(SCRIPT.parent))
import pg_replica  # noqa: E402

WINDOW = 3  # seconds of read-your-writes in this test

pytestmark = [
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="streaming replication needs PostgreSQL (make test's PostgreSQL pass)",
    ),
    pytest.mark.skipif(
        pg_replica.server_binaries() is None, reason="PostgreSQL server programs not installed"
    ),
    pytest.mark.skipif(not redis_available(), reason=f"Redis not reachable at {REDIS_URL}"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def clusters() -> Iterator[dict[str, Any]]:
    # In a new folder of its own under /tmp (the postgres account must reach it; pytest's are root's).
    started = subprocess.run(
        [sys.executable, str(SCRIPT), "start"], capture_output=True, text=True, timeout=90, check=False
    )
    assert started.returncode == 0, started.stderr[-3000:]
    state = json.loads(started.stdout)
    try:
        yield state
    finally:
        subprocess.run([sys.executable, str(SCRIPT), "stop", "--dir", state["dir"]], timeout=90, check=False)


def _copy_test_database(target_url: str) -> None:
    """Schema and committed rows of the test database into the primary."""
    pg_replica.copy_database(database_url_of(connection.settings_dict), target_url)


def _replica_has(url: str, sql: str, params: tuple[Any, ...], expected: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            try:
                row = conn.execute(sql, params).fetchone()
            except psycopg.errors.UndefinedTable:  # the table's creation not replayed yet
                row = None
            if (row[0] if row else None) == expected:
                return
            assert time.monotonic() < deadline, f"replica still answers {row} to {sql}"
            time.sleep(0.05)


def test_reads_go_to_the_replica_except_for_the_user_who_just_wrote(
    clusters: dict[str, Any], tmp_path: Path
) -> None:
    keyring.clear()  # data keys cached by an earlier transactional test are gone from the database
    department = portal.make_department()
    item = portal.make_item(department)
    manager = portal.make_staff(department, "manager", ["service_manager"], "周敏")
    manager_token = issue_api_token(manager, name="replica-test")
    other_device = Client()
    other_device.force_login(manager)  # a second device of the manager: a session, no write cookie
    manager_session = other_device.cookies[settings.SESSION_COOKIE_NAME].value
    started = time.monotonic()
    _copy_test_database(clusters["primary_url"])
    primary, replica = clusters["primary_url"], clusters["replica_url"]
    status_sql = "SELECT status FROM catalog_serviceitem WHERE public_id = %s"
    _replica_has(replica, status_sql, (item.public_id,), "published")
    print(f"\nprimary + replica with the schema in {time.monotonic() - started:.1f} s")

    # Streaming replication itself: a write on the primary shows on the replica, not while paused.
    with psycopg.connect(primary, autocommit=True) as conn:
        conn.execute("CREATE TABLE replica_probe (n int)")
        conn.execute("INSERT INTO replica_probe VALUES (1)")
    _replica_has(replica, "SELECT count(*) FROM replica_probe", (), 1)

    prefix = cache_prefix()
    env = node_env(
        tmp_path,
        DATABASE_URL=primary,
        DATABASE_REPLICA_URL=replica,
        YIWANG_CACHE_URL=REDIS_URL,
        YIWANG_CACHE_KEY_PREFIX=prefix,
        YIWANG_READ_YOUR_WRITES_SECONDS=str(WINDOW),
    )
    guide = f"/api/v1/catalog/items/{item.public_id}"
    with nodes(["replica-node"], env, tmp_path) as (node,):
        citizen = requests.Session()
        assert citizen.get(f"{node.url}{guide}", timeout=10).status_code == 200

        pg_replica.replay(Path(clusters["dir"]), paused=True)
        with psycopg.connect(primary, autocommit=True) as conn:
            conn.execute("INSERT INTO replica_probe VALUES (2)")
        time.sleep(0.3)
        _replica_has(replica, "SELECT count(*) FROM replica_probe", (), 1)  # paused: still one row

        # The manager withdraws the item (a non-safe request) on his first device.
        writer = requests.Session()
        writer.headers["Authorization"] = f"Bearer {manager_token}"
        response = writer.post(f"{node.url}/api/v1/catalog/items/{item.public_id}/withdraw", timeout=10)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "withdrawn"
        assert "yiwang_rw" in writer.cookies
        wrote_at = time.monotonic()

        # The citizen reads the replica: the item is still published there.
        assert citizen.get(f"{node.url}{guide}", timeout=10).status_code == 200
        # The manager reads his write, on the device that wrote (cookie) …
        assert writer.get(f"{node.url}{guide}", timeout=10).status_code == 404
        # … and on his other device (the per-user mark in Redis, found from his session).
        device = requests.Session()
        device.cookies.set(settings.SESSION_COOKIE_NAME, manager_session)
        assert device.get(f"{node.url}{guide}", timeout=10).status_code == 404
        assert citizen.get(f"{node.url}{guide}", timeout=10).status_code == 200

        # After the window the manager reads the (still paused) replica like everybody else.
        time.sleep(max(0.0, WINDOW + 0.5 - (time.monotonic() - wrote_at)))
        assert device.get(f"{node.url}{guide}", timeout=10).status_code == 200

        # Replay resumes: everybody sees the withdrawal.
        pg_replica.replay(Path(clusters["dir"]), paused=False)
        _replica_has(replica, status_sql, (item.public_id,), "withdrawn")
        assert citizen.get(f"{node.url}{guide}", timeout=10).status_code == 404
        assert device.get(f"{node.url}{guide}", timeout=10).status_code == 404
    print(f"replica test done in {time.monotonic() - started:.1f} s")
