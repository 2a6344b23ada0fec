"""The platform's queries through PgBouncer (issue #26, docs/scale-out.md "PgBouncer").

Debian's PgBouncer (1.18) runs with ``deploy/pgbouncer/pgbouncer.ini`` (listen port, pool mode and
authentication changed for the test) in front of the test database.  A process configured like a
node (``DATABASE_URL`` on PgBouncer) serves many requests of the catalogue, the account and the
to-do list through Django's test client:

* **session pooling, prepared statements on** (the default, ``prepare_threshold=5``): every request
  answers and the server connection behind the client really holds prepared statements
  (``pg_prepared_statements``);
* **transaction pooling, ``YIWANG_DB_PREPARE=0``** (PgBouncer before 1.21 cannot keep prepared
  statements across transactions): every request answers, nothing is prepared.

PgBouncer's own counters (``SHOW STATS``) show the transactions went through it.  PostgreSQL only;
skipped when pgbouncer is not installed (``make system-deps``).
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from yiwang.accounts.services import issue_api_token
from yiwang.core.keyring import keyring
from yiwang.testing import portal
from yiwang.testing.scaleout import ROOT, database_url_of, free_port, node_env

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)
PSQL = shutil.which("psql")
ROUNDS = 7  # each path more often than the prepare threshold (5)

pytestmark = [
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="PgBouncer pools PostgreSQL connections (make test's PostgreSQL pass)",
    ),
    pytest.mark.skipif(
        PGBOUNCER is None or PSQL is None, reason="pgbouncer not installed (make system-deps)"
    ),
    pytest.mark.django_db(transaction=True),
]

REQUESTS = """
import json, sys, django
django.setup()
from django.db import connection
from django.test import Client
item, token, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
paths = [f"/api/v1/catalog/items/{item}", "/api/v1/catalog/items?limit=5", "/api/v1/accounts/me",
         "/api/v1/workbench/todo"]
statuses = [client.get(path).status_code for _ in range(rounds) for path in paths]
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM pg_prepared_statements")
    prepared = cursor.fetchone()[0]
options = connection.settings_dict.get("OPTIONS", {})
print(json.dumps({"statuses": statuses, "prepared": prepared, "port": connection.settings_dict["PORT"],
                  "threshold": options.get("prepare_threshold")}))
"""


def _config(port: int, mode: str, folder: Path) -> Path:
    """deploy/pgbouncer/pgbouncer.ini with the test's port, pool mode, trust and files."""
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",), comment_prefixes=(";", "#"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini")
    db = connection.settings_dict
    parser["databases"] = {"*": f"host={db.get('HOST') or '127.0.0.1'} port={db.get('PORT') or 5432}"}
    section = parser["pgbouncer"]
    section.update(
        listen_port=str(port),
        pool_mode=mode,
        auth_type="trust",
        auth_file=str(folder / "userlist.txt"),
        logfile=str(folder / "pgbouncer.log"),
        pidfile=str(folder / "pgbouncer.pid"),
        default_pool_size="4",
        min_pool_size="0",
    )
    (folder / "userlist.txt").write_text(f'"{db.get("USER") or "postgres"}" ""\n')
    path = folder / f"pgbouncer-{mode}.ini"
    with path.open("w") as handle:
        parser.write(handle)
    return path


@contextlib.contextmanager
def pgbouncer(mode: str) -> Iterator[int]:
    """PgBouncer on a free port (as the postgres account when root: it refuses to run as root)."""
    assert PGBOUNCER is not None
    folder = Path(tempfile.mkdtemp(prefix="yiwang-pgbouncer-"))
    port = free_port()
    config = _config(port, mode, folder)
    argv = [PGBOUNCER, str(config)]
    if os.geteuid() == 0:
        for path in folder.iterdir():
            shutil.chown(path, "postgres", "postgres")
        shutil.chown(folder, "postgres", "postgres")
        argv = ["runuser", "-u", "postgres", "--", *argv]
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 10
        while _admin(port, "SHOW VERSION") is None:
            assert process.poll() is None, (folder / "pgbouncer.log").read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "pgbouncer did not start"
            time.sleep(0.1)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _admin(port: int, command: str) -> list[dict[str, str]] | None:
    """A command of PgBouncer's admin console (simple query protocol: psql), rows as dicts."""
    assert PSQL is not None
    user = connection.settings_dict.get("USER") or "postgres"
    result = subprocess.run(
        [
            PSQL,
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            user,
            "-d",
            "pgbouncer",
            "-A",
            "-F",
            "\t",
            "-c",
            command,
        ],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    if result.returncode != 0:
        return None
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("(")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=False)) for line in lines[1:]]


def _through(port: int, tmp_path: Path, seeded: dict[str, str], **env: str) -> dict[str, Any]:
    db = dict(connection.settings_dict)
    db.update(HOST="127.0.0.1", PORT=port)
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS, seeded["item"], seeded["token"], str(ROUNDS)],
        env=node_env(tmp_path, DATABASE_URL=database_url_of(db), **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _transactions(port: int) -> int:
    rows = _admin(port, "SHOW STATS") or []
    return sum(
        int(row["total_xact_count"])
        for row in rows
        if row.get("database") == connection.settings_dict["NAME"]
    )


@pytest.fixture
def seeded() -> dict[str, str]:
    keyring.clear()  # the data keys of an earlier transactional test are gone from the database
    department = portal.make_department()
    item = portal.make_item(department)
    clerk = portal.make_staff(department, "clerk", ["window_clerk"], "李娜")
    return {"item": str(item.public_id), "token": issue_api_token(clerk, name="pgbouncer-test")}


def test_session_pooling_keeps_prepared_statements(seeded: dict[str, str], tmp_path: Path) -> None:
    with pgbouncer("session") as port:
        outcome = _through(port, tmp_path, seeded)
        assert _transactions(port) >= 4 * ROUNDS
    assert outcome["port"] == port and outcome["threshold"] == 5
    assert set(outcome["statuses"]) == {200} and len(outcome["statuses"]) == 4 * ROUNDS
    assert outcome["prepared"] > 0, "statements run more than five times are prepared on the server"


def test_transaction_pooling_with_prepared_statements_off(seeded: dict[str, str], tmp_path: Path) -> None:
    with pgbouncer("transaction") as port:
        outcome = _through(port, tmp_path, seeded, YIWANG_DB_PREPARE="0")
        assert _transactions(port) >= 4 * ROUNDS
    assert outcome["port"] == port and outcome["threshold"] is None
    assert set(outcome["statuses"]) == {200} and len(outcome["statuses"]) == 4 * ROUNDS
    assert outcome["prepared"] == 0
