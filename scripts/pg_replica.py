#!/usr/bin/env python3
"""A PostgreSQL primary and its streaming replica on free ports, with Debian's PostgreSQL tools.

    python3 scripts/pg_replica.py start [--dir DIR] [--primary-port P] [--replica-port R] [--database NAME]
    python3 scripts/pg_replica.py stop --dir DIR
    python3 scripts/pg_replica.py pause|resume|status --dir DIR

``start`` makes two clusters under DIR (a new temporary folder by default): the primary by ``initdb``
(trust authentication, listening on 127.0.0.1 only; the machine's server on 5432 is never touched),
an empty database (``--database``, default ``yiwang``) on it, then the replica by ``pg_basebackup -R``
(streaming replication from the primary, ``standby.signal`` and ``primary_conninfo`` written by -R),
started as a hot standby.  It prints one JSON line: ``dir``, ``primary_url``, ``replica_url`` and the
ports, and leaves the servers running until ``stop`` (``pg_ctl stop -m fast`` on both, then DIR is
removed).  ``pause``/``resume`` stop and restart WAL replay on the replica (``pg_wal_replay_pause()``):
while paused the replica serves the old rows, which is how the tests make replication lag visible.

The server programs come from ``/usr/lib/postgresql/<version>/bin`` (Debian's postgresql package)
or the PATH; initdb and postgres refuse to run as root, so as root they run as the ``postgres``
account (``runuser``).  Used by src/yiwang/core/tests/test_scaleout_replica.py and docs/scale-out.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STATE_FILE = "pg_replica.json"


def server_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl, pg_basebackup and postgres (the newest version), or None."""
    candidates = [
        shutil.which("initdb"),
        *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            folder = Path(os.path.realpath(candidate)).parent
            if all((folder / name).exists() for name in ("pg_ctl", "postgres", "pg_basebackup")):
                return folder
    return None


def copy_database(source_url: str, target_url: str) -> None:
    """Schema and committed rows of one database into another (``pg_dump | psql``, this version's tools)."""
    bin_dir = server_binaries()
    assert bin_dir is not None, "PostgreSQL server programs not installed"
    dump = subprocess.run(  # noqa: S603 - our own argv of the PostgreSQL programs
        [str(bin_dir / "pg_dump"), "--no-owner", "--no-privileges", "-d", source_url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    subprocess.run(  # noqa: S603 - our own argv of the PostgreSQL programs
        [str(bin_dir / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", target_url],
        input=dump.stdout,
        capture_output=True,
        timeout=120,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


def _run(argv: list[str], timeout: float = 120) -> None:
    result = subprocess.run(  # noqa: S603 - our own argv of the PostgreSQL programs
        _as_postgres(argv), capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:2])} failed ({result.returncode}): {result.stderr[-2000:]}")


def _pg_ctl(bin_dir: Path, data: Path, log: Path, port: int, sockets: Path, *args: str) -> None:
    options = (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=60 -c shared_buffers=32MB -c wal_level=replica "
        "-c max_wal_senders=5 -c hot_standby=on -c hot_standby_feedback=on "
        "-c max_standby_streaming_delay=-1 -c wal_receiver_status_interval=1"
    )
    _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", *args])


def _psql(url: str, sql: str) -> list[tuple[object, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def start(base: Path | None, primary_port: int, replica_port: int, database: str) -> dict[str, object]:
    bin_dir = server_binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server programs not found (apt-get install postgresql)")
    base = Path(base or tempfile.mkdtemp(prefix="yiwang-pg-replica-"))
    base.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    primary, replica = base / "primary", base / "replica"
    primary_port = primary_port or free_port()
    replica_port = replica_port or free_port()
    started = time.monotonic()
    _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(primary),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ]
    )
    with (primary / "pg_hba.conf").open("a") as hba:  # initdb's defaults allow it; said once more
        hba.write("host replication postgres 127.0.0.1/32 trust\n")
    _pg_ctl(bin_dir, primary, base / "primary.log", primary_port, base, "start")
    state = {
        "dir": str(base),
        "bin": str(bin_dir),
        "primary_port": primary_port,
        "replica_port": replica_port,
        "database": database,
        "primary_url": f"postgres://postgres@127.0.0.1:{primary_port}/{database}",
        "replica_url": f"postgres://postgres@127.0.0.1:{replica_port}/{database}",
    }
    (base / STATE_FILE).write_text(json.dumps(state))
    try:
        _psql(f"postgres://postgres@127.0.0.1:{primary_port}/postgres", f'CREATE DATABASE "{database}"')
        _run(
            [
                str(bin_dir / "pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(primary_port),
                "-U",
                "postgres",
                "-D",
                str(replica),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
            ]
        )
        _pg_ctl(bin_dir, replica, base / "replica.log", replica_port, base, "start")
        wait_replica(state, timeout=30)
    except Exception:
        stop(base)
        raise
    state["seconds"] = round(time.monotonic() - started, 2)
    return state


def load(base: Path) -> dict[str, object]:
    return dict(json.loads((base / STATE_FILE).read_text()))


def wait_replica(state: dict[str, object], timeout: float = 30) -> None:
    """Until the replica streams from the primary (one row in pg_stat_replication)."""
    primary_admin = f"postgres://postgres@127.0.0.1:{state['primary_port']}/postgres"
    deadline = time.monotonic() + timeout
    while True:
        rows = _psql(primary_admin, "SELECT state FROM pg_stat_replication")
        if rows and rows[0][0] == "streaming":
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the replica does not stream (pg_stat_replication: {rows})")
        time.sleep(0.1)


def stop(base: Path) -> None:
    state = load(base) if (base / STATE_FILE).exists() else {}
    bin_dir = Path(str(state.get("bin") or server_binaries() or "/usr/bin"))
    for name in ("replica", "primary"):
        if (base / name / "postmaster.pid").exists():
            try:
                _run(
                    [str(bin_dir / "pg_ctl"), "-D", str(base / name), "-m", "fast", "-w", "stop"], timeout=60
                )
            except (RuntimeError, subprocess.TimeoutExpired):
                _run([str(bin_dir / "pg_ctl"), "-D", str(base / name), "-m", "immediate", "stop"], timeout=30)
    shutil.rmtree(base, ignore_errors=True)


def replay(base: Path, *, paused: bool) -> None:
    state = load(base)
    admin = f"postgres://postgres@127.0.0.1:{state['replica_port']}/postgres"
    _psql(admin, "SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")


def status(base: Path) -> dict[str, object]:
    state = load(base)
    admin = f"postgres://postgres@127.0.0.1:{state['replica_port']}/postgres"
    rows = _psql(
        admin,
        "SELECT pg_is_in_recovery(), pg_get_wal_replay_pause_state(), "
        "coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)",
    )
    in_recovery, pause_state, lag = rows[0]
    return {**state, "in_recovery": in_recovery, "replay": pause_state, "lag_seconds": float(str(lag))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["start", "stop", "pause", "resume", "status"])
    parser.add_argument(
        "--dir", type=Path, default=None, help="where the clusters live (start: a new temp dir)"
    )
    parser.add_argument("--primary-port", type=int, default=0)
    parser.add_argument("--replica-port", type=int, default=0)
    parser.add_argument("--database", default="yiwang")
    args = parser.parse_args(argv)
    if args.command != "start" and args.dir is None:
        parser.error(f"{args.command} needs --dir")
    if args.command == "start":
        print(json.dumps(start(args.dir, args.primary_port, args.replica_port, args.database)))
    elif args.command == "stop":
        stop(args.dir)
    elif args.command in {"pause", "resume"}:
        replay(args.dir, paused=args.command == "pause")
    else:
        print(json.dumps(status(args.dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
