"""Two real platform instances for cross-process tests: a province and its city, paired as parent and
child exchange nodes, the city trusting the province's OIDC provider (docs/federation-demo.md).

Each instance is its own set of processes on its own database (a copy of the migrated test template:
a SQLite file on the SQLite pass, a PostgreSQL database on the PostgreSQL pass), its own var dir and
free port:

* ``web`` — gunicorn through ``yiwang serve`` (1 worker, 4 threads);
* ``worker`` — ``yiwang worker`` (the database task backend);
* ``console`` — a Django process on the instance's settings that runs the Python a test sends it
  (``instance.python(code)``): pairing, set-up, building and pushing packages, without paying
  Django's 3–4 s start for every step.  Killing it kills what it was doing (a sender mid-push).

Usage::

    from yiwang.testing.federation import federation

    with federation(tmp_path) as fed:                 # started, paired, ready
        fed.province.python("result = 1 + 1")         # -> 2 (the value of `result`, JSON)
        fed.city.query("SELECT count(*) FROM exchange_incomingpackage")  # Django-less read
        fed.city.kill()                               # kill -9 every process of the city
        fed.city.start()                              # and start it again (same database)
        fed.city.manage("exchange_sync")              # a management command in a fresh process

Every process runs in its own session and is killed with its group when the context ends, even on a
failure; the databases are dropped/removed.  Children also die with the test process
(``YIWANG_SUPERVISOR_PID``, ``yiwang.supervisor.die_with_supervisor``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from yiwang.demo.federation import (
    CITY,
    PROVINCE,
    InstanceConfig,
    city_config,
    configure_pair,
    province_config,
)
from yiwang.testing import dbtemplate

ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 90.0  # a bound on a hang (2 loaded cores), not a performance figure
COMPONENTS = ("web", "worker", "console")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ConsoleError(RuntimeError):
    """The code sent to an instance's console raised; the message carries its traceback."""


class Instance:
    """One running platform instance (processes, database, var dir) of the harness."""

    def __init__(self, config: InstanceConfig, env: dict[str, str], vendor: str) -> None:
        self.config = config
        self.vendor = vendor  # sqlite | postgresql
        self.env = {**_base_env(), **env}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._console_lock = threading.Lock()
        self._console_out: IO[bytes] | None = None
        self._console_starting = False  # its "ready" line is still to be read

    # --- what it is ---------------------------------------------------------------------------------
    @property
    def role(self) -> str:
        return self.config.role

    @property
    def node_id(self) -> str:
        return self.config.node_id

    @property
    def base_url(self) -> str:
        return self.config.base_url

    @property
    def var_dir(self) -> Path:
        return self.config.var_dir

    def log(self, component: str = "web") -> str:
        path = self.var_dir / f"{component}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    # --- processes ----------------------------------------------------------------------------------
    def _spawn(self, component: str, argv: list[str]) -> subprocess.Popen[bytes]:
        log = (self.var_dir / f"{component}.log").open("ab")
        stdout: Any = subprocess.PIPE if component == "console" else log
        process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, *argv],
            cwd=self.var_dir,
            env={**self.env, "YIWANG_SUPERVISOR_PID": str(os.getpid())},
            stdin=subprocess.PIPE if component == "console" else subprocess.DEVNULL,
            stdout=stdout,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        self.processes[component] = process
        return process

    def start(
        self, *, web: bool = True, worker: bool = True, console: bool = True, wait: bool = True
    ) -> None:
        """Start what is not running (the web server, the task worker, the console)."""
        wanted = {"web": web, "worker": worker, "console": console}
        for component in COMPONENTS:
            if not wanted[component] or self.running(component):
                continue
            if component == "web":
                self._spawn("web", ["-m", "yiwang.cli", "serve"])
            elif component == "worker":
                self._spawn("worker", ["-m", "yiwang.cli", "worker", "--interval", "0.2"])
            else:
                process = self._spawn("console", ["-c", f"{_BOOT}_console()"])
                self._console_out = process.stdout
                self._console_starting = True
        if wait:
            self.wait_ready(web=web, console=console)

    def wait_ready(self, *, web: bool = True, console: bool = True) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        if console and self._console_starting:
            self._read_console(deadline)  # the "ready" line
            self._console_starting = False
        while web and self.get("/healthz")[0] != 200:
            process = self.processes.get("web")
            if process is None or process.poll() is not None:
                raise RuntimeError(f"{self.role} web server exited:\n{self.log('web')[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.role} web server not up:\n{self.log('web')[-3000:]}")
            time.sleep(0.1)

    def running(self, component: str) -> bool:
        process = self.processes.get(component)
        return process is not None and process.poll() is None

    def kill(self, *components: str, sig: int = signal.SIGKILL) -> None:
        """Signal (default: kill -9) the process groups of ``components`` (default: all) and reap them."""
        for component in components or COMPONENTS:
            process = self.processes.pop(component, None)
            if process is None:
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            # whatever the leader left in its group (gunicorn's workers) goes too
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            if component == "console":
                self._console_out = None
                self._console_starting = False

    def stop(self) -> None:
        """A clean stop (SIGTERM, then what is left is killed)."""
        self.kill(sig=signal.SIGTERM)

    def restart(self, **kwargs: bool) -> None:
        self.kill()
        self.start(**kwargs)

    # --- talking to it --------------------------------------------------------------------------------
    def python(self, code: str, *, timeout: float = 120.0) -> Any:
        """Run ``code`` in the instance's console (Django set up on its settings and database); returns
        the JSON value of the variable ``result`` it sets.  What it prints goes to console.log."""
        with self._console_lock:
            if not self.running("console"):  # killed (a sender killed mid-way) or not started: start it
                self.kill("console")
                self.start(web=False, worker=False, console=True)
            if self._console_starting:
                self.wait_ready(web=False, console=True)
            process = self.processes["console"]
            assert process.stdin is not None
            process.stdin.write(json.dumps({"code": code}).encode() + b"\n")
            process.stdin.flush()
            answer = self._read_console(time.monotonic() + timeout)
        if not answer.get("ok"):
            raise ConsoleError(f"{self.role}: {answer.get('error')}")
        return answer.get("result")

    def python_background(self, code: str) -> subprocess.Popen[bytes]:
        """``code`` in a new, separate Django process of the instance (to be killed mid-way); the caller
        waits for or kills it (``os.killpg(p.pid, …)``); output in background.log."""
        log = (self.var_dir / "background.log").open("ab")
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", f"{_BOOT}exec(sys.argv[1], {{}})", code],
            cwd=self.var_dir,
            env={**self.env, "YIWANG_SUPERVISOR_PID": str(os.getpid())},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        return process

    def _read_console(self, deadline: float) -> dict[str, Any]:
        stream = self._console_out
        if stream is None:
            raise RuntimeError(f"{self.role} console is not running")
        holder: list[bytes] = []
        reader = threading.Thread(target=lambda: holder.append(stream.readline()), daemon=True)
        reader.start()
        reader.join(max(0.1, deadline - time.monotonic()))
        if reader.is_alive() or not holder or not holder[0]:
            raise RuntimeError(f"{self.role} console gave no answer:\n{self.log('console')[-3000:]}")
        return dict(json.loads(holder[0]))

    def manage(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """A management command in a fresh process of the instance (raises when it fails)."""
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "yiwang.cli", *args],
            cwd=self.var_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{self.role} {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
            )
        return done

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """A read of the instance's database without Django (``?`` placeholders on both engines)."""
        url = self.config.database_url
        if self.vendor == "sqlite":
            path = url.removeprefix("sqlite:///")
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=20)) as db:
                return list(db.execute(sql, params).fetchall())
        import psycopg

        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
            pg_sql = sql.replace("%", "%%").replace("?", "%s")
            return list(db.execute(pg_sql, params).fetchall())  # type: ignore[arg-type]

    def scalar(self, sql: str, *params: Any) -> Any:
        rows = self.query(sql, *params)
        return rows[0][0] if rows else None

    def get(self, path: str, *, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base_url + path, headers=headers or {})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - local instance
                return int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            return int(exc.code), exc.read()
        except OSError:
            return 0, b""


class Federation:
    def __init__(self, province: Instance, city: Instance) -> None:
        self.province = province
        self.city = city

    def __iter__(self) -> Iterator[Instance]:
        return iter((self.province, self.city))


def _base_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("YIWANG_", "DATABASE_", "PYTEST_", "DJANGO_"))
        and key not in ("PORT", "HOST", "MEDIA_ROOT", "STATIC_ROOT", "SECRET_KEY")
    }
    env.update(
        {
            "YIWANG_PROFILE": "demo",  # real task worker, real hashers, real rate limits (tests: immediate tasks)
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])
            ),
            "PYTHONUNBUFFERED": "1",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_THREADS": "4",
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "YIWANG_DEMO_BASE_PERSONS": "0",
            "YIWANG_DEMO_BASE_COMPANIES": "0",
            "LOG_LEVEL": "INFO",
            # Test servers start often (a restart is part of some tests) and answer few pages: no
            # warm-up of templates and the search dictionary (yiwang/gunicorn_conf.py).
            "YIWANG_WARMUP": "0",
        }
    )
    return env


# --- databases ------------------------------------------------------------------------------------------
def _pg_settings() -> dict[str, Any] | None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    import dj_database_url

    return dict(dj_database_url.parse(url))


def _make_database(role: str, var_dir: Path, tag: str) -> tuple[str, str, Any]:
    """(vendor, database URL, drop) for a fresh migrated database of the instance ``role``."""
    pg = _pg_settings()
    if pg is not None:
        name = f"{pg['NAME']}_fed_{tag}_{role}"[:63]
        dbtemplate.pg_copy(pg, name)
        return "postgresql", dbtemplate._pg_url(pg, name), lambda: dbtemplate.pg_drop(pg, name)
    path = var_dir / "yiwang.sqlite3"
    url = f"sqlite:///{path}"
    if not dbtemplate.copy_for_demo(path):
        dbtemplate.migrate(url)
    return "sqlite", url, lambda: dbtemplate._remove_sqlite(path)


# --- the whole thing ------------------------------------------------------------------------------------
@contextlib.contextmanager
def federation(base_dir: Path, *, worker: bool = True) -> Iterator[Federation]:
    """A province and a city, started (web, worker, console each), paired, ready; all stopped and the
    databases dropped at the end."""
    tag = secrets.token_hex(3)
    drops: list[Any] = []
    instances: list[Instance] = []
    try:
        configs = {}
        made = {}
        for role in (PROVINCE, CITY):
            var_dir = Path(base_dir) / role
            var_dir.mkdir(parents=True, exist_ok=True)
            vendor, url, drop = _make_database(role, var_dir, tag)
            drops.append(drop)
            made[role] = vendor
            factory = province_config if role == PROVINCE else city_config
            configs[role] = factory(free_port(), url, var_dir)
        setup = configure_pair(configs[PROVINCE], configs[CITY])
        province = Instance(configs[PROVINCE], setup["env"][PROVINCE], made[PROVINCE])
        city = Instance(configs[CITY], setup["env"][CITY], made[CITY])
        instances = [province, city]
        # Both start at once; Django's start (some 3.5 s of CPU a process) is the cost on 2 cores, so
        # what the pair waits for (web server, console) starts first and the task workers, which no
        # start-up step needs, once those are up (they are running before a test's on-commit tasks).
        for instance in instances:
            instance.start(worker=False, wait=False)
        for instance in instances:
            instance.wait_ready(web=False)
            plan = setup["plan"][instance.role]
            instance.python(
                "import json\nfrom yiwang.demo.federation_instance import apply_pairing\n"
                f"result = apply_pairing(**json.loads({json.dumps(json.dumps(plan))}))"
            )
        for instance in instances:
            instance.wait_ready(console=False)
        for instance in instances:
            instance.start(web=False, console=False, worker=worker, wait=False)
        yield Federation(province, city)
    finally:
        for instance in instances:
            instance.kill()
        for drop in drops:
            with contextlib.suppress(Exception):
                drop()


# --- inside an instance: the console --------------------------------------------------------------------
# A child process sets Django up first (yiwang.testing imports models), then imports this module.
_BOOT = (
    "import os, sys\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'yiwang.settings')\n"
    "from yiwang.supervisor import die_with_supervisor\n"
    "die_with_supervisor()\n"
    "import django\n"
    "django.setup()\n"
    "from yiwang.testing.federation import _console\n"
)


def _console() -> None:
    """Read one JSON line {"code"} at a time, run it, answer one JSON line {"ok", "result"|"error"}."""
    import traceback

    from django.db import close_old_connections

    answer_to = sys.stdout
    sys.stdout = sys.stderr  # what the code prints goes to the log, not into the answers
    answer_to.write(json.dumps({"ok": True, "result": "ready"}) + "\n")
    answer_to.flush()
    for line in sys.stdin:
        namespace: dict[str, Any] = {}
        try:
            close_old_connections()
            exec(json.loads(line)["code"], namespace)  # noqa: S102 - test harness: the test's own code
            text = json.dumps({"ok": True, "result": namespace.get("result")}, default=str)
        except Exception:
            text = json.dumps({"ok": False, "error": traceback.format_exc()[-4000:]})
        sys.stderr.flush()
        answer_to.write(text + "\n")
        answer_to.flush()
