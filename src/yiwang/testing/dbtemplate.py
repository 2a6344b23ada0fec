"""A migrated test database, made once and copied: ``migrate`` from nothing costs about 50 s of CPU
(Django renders the model states of some 130 migrations), and ``make test`` used to pay it for every
xdist worker of every pass (SQLite, the two date passes, PostgreSQL) and again in the tests that start
``yiwang demo`` on their own database.

The template is keyed by a fingerprint of every migration file, the lock file and the Python version,
so a changed migration makes a new one.  It is made by the real ``migrate`` (``--run-syncdb``, as
Django's test database creation runs it) in a subprocess, under a file lock so that two workers do not
both make it; each worker then gets a copy (SQLite: the file; PostgreSQL: ``CREATE DATABASE … TEMPLATE``)
and Django's test set-up runs with ``keepdb``: ``migrate`` again (nothing to apply; the
``post_migrate`` handlers still run), ``createcachetable``, serialisation.

``YIWANG_TEST_DB_TEMPLATE=0`` turns it off (every worker migrates from nothing, as before).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def enabled() -> bool:
    return os.environ.get("YIWANG_TEST_DB_TEMPLATE", "1") != "0"


def fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted((ROOT / "src").glob("**/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    lock = ROOT / "uv.lock"  # third-party migrations (django.contrib, django-tasks, otp…)
    if lock.exists():
        digest.update(lock.read_bytes())
    return digest.hexdigest()[:16]


def template_dir() -> Path:
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "test-db-templates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextlib.contextmanager
def locked(name: str) -> Iterator[None]:
    with (template_dir() / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(database_url: str) -> None:
    """The real ``migrate`` into ``database_url`` (a fresh process: the test process keeps its own
    connections and settings), then the cache table Django's test set-up also makes."""
    env = {**os.environ, "DATABASE_URL": database_url, "YIWANG_PROFILE": "test"}
    env.pop("YIWANG_TEST_TODAY", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")]))
    for command in (["migrate", "--run-syncdb", "--no-input", "-v", "0"], ["createcachetable"]):
        done = subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, "-m", "yiwang.cli", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            raise RuntimeError(f"migrating the test database template failed:\n{done.stderr[-4000:]}")


def sqlite_template_copy(target: Path) -> None:
    """``target`` made a copy of the migrated SQLite file for the current migrations (made if
    missing); under the lock, so that no process copies a half-made or a removed template."""
    name = f"sqlite-{fingerprint()}"
    template = template_dir() / f"{name}.sqlite3"
    with locked(name):
        if not template.exists():
            building = template.with_name(f"{name}.{os.getpid()}.building.sqlite3")
            _remove_sqlite(building)
            migrate(f"sqlite:///{building}")
            copy_sqlite(building, template.with_name(template.name + ".tmp"))
            os.replace(template.with_name(template.name + ".tmp"), template)
            _remove_sqlite(building)
            for stale in template_dir().glob("sqlite-*.sqlite3"):  # other fingerprints, a day old
                if stale != template and ".building." not in stale.name and _age(stale) > 86_400:
                    _remove_sqlite(stale)
        copy_sqlite(template, target)


def _age(path: Path) -> float:
    import time

    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy (the online backup API: the write-ahead log is folded in)."""
    _remove_sqlite(target)
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- PostgreSQL ---------------------------------------------------------------------------------------
def _pg_admin(settings_dict: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        autocommit=True,
    )


def _pg_url(settings_dict: dict[str, Any], name: str) -> str:
    from urllib.parse import quote

    user = quote(settings_dict.get("USER") or "")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password)}@" if password else (f"{user}@" if user else "")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{settings_dict.get('HOST') or '127.0.0.1'}{port}/{name}"


def _pg_exists(admin: Any, name: str) -> bool:
    return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def pg_copy(settings_dict: dict[str, Any], test_name: str) -> None:
    """``test_name`` made afresh from the migrated template (made if missing)."""
    from psycopg import sql

    base = settings_dict["NAME"]
    template = f"{base}_tpl_{fingerprint()}"[:63]
    with locked(f"pg-{template}"), contextlib.closing(_pg_admin(settings_dict)) as admin:
        if not _pg_exists(admin, template):
            building = f"{template[:50]}_building"
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(building)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
            migrate(_pg_url(settings_dict, building))
            admin.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(building), sql.Identifier(template)
                )
            )
            stale = admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
                [f"{base}_tpl_%", template],
            ).fetchall()
            for (name,) in stale:  # older fingerprints (left alone while another run copies one)
                with contextlib.suppress(Exception):
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(test_name)))
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(test_name), sql.Identifier(template)
            )
        )


def pg_drop(settings_dict: dict[str, Any], test_name: str) -> None:
    from psycopg import sql

    with contextlib.closing(_pg_admin(settings_dict)) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(test_name)))


# --- the pytest side ------------------------------------------------------------------------------------
def prepare_test_databases() -> list[tuple[str, str, dict[str, Any]]]:
    """Copy the template into each test database pytest-django is about to set up; returns what was
    prepared (engine, test database name, settings) for :func:`drop_test_databases`."""
    from django.db import connections

    prepared: list[tuple[str, str, dict[str, Any]]] = []
    connection = connections["default"]
    settings_dict = connection.settings_dict
    vendor = connection.vendor
    # the name Django's set-up will use (pytest-django has put the worker's suffix in TEST NAME)
    test_name = (settings_dict.get("TEST") or {}).get("NAME") or ""
    if vendor == "postgresql" and not test_name:
        test_name = f"test_{settings_dict['NAME']}"
    if vendor == "sqlite" and test_name and ":memory:" not in test_name and "mode=memory" not in test_name:
        sqlite_template_copy(Path(test_name))
        prepared.append(("sqlite", test_name, dict(settings_dict)))
    elif vendor == "postgresql":
        pg_copy(settings_dict, test_name)
        prepared.append(("postgresql", test_name, dict(settings_dict)))
    return prepared


def drop_test_databases(prepared: list[tuple[str, str, dict[str, Any]]]) -> None:
    from django.db import connections

    connections.close_all()
    for vendor, test_name, settings_dict in prepared:
        with contextlib.suppress(Exception):
            if vendor == "sqlite":
                _remove_sqlite(Path(test_name))
            else:
                pg_drop(settings_dict, test_name)


def copy_for_demo(target: Path) -> bool:
    """A migrated SQLite database for a test that starts ``yiwang demo`` on its own file (False when
    templates are off: the test then migrates itself)."""
    if not enabled():
        return False
    sqlite_template_copy(target)
    return True
