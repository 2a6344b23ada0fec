"""Fault tests on PostgreSQL (issue 19): kill -9 of a web worker and of the task worker in the middle of
transitions, and a PostgreSQL restart during a load run.

The test starts its own PostgreSQL cluster (``initdb``/``pg_ctl`` in a temporary directory on a free
port; the machine's server on 5432 is never touched), the platform's real web server (gunicorn with
``yiwang/gunicorn_conf.py``, 2 workers) and the task worker (``yiwang worker``) as subprocesses against
a database there, and drives applications through the API with bearer tokens: citizens apply, a
clerk accepts, an approver approves (the standard BPMN process runs behind acceptance).  During the
load it kills one gunicorn worker (``SIGKILL``), kills the task worker (and starts a new one, as
systemd's ``Restart=always`` would), and restarts PostgreSQL (``pg_ctl restart -m fast``).  Afterwards:

* **0 lost**: every application, acceptance and approval the client was told succeeded (2xx) is in
  the database;
* **0 half-applied**: ``manage.py check_consistency`` (``cases/consistency.py``) finds every case's
  events, status, process state, queue counters and detail snapshots in agreement;
* **exactly once in effect**: the task queue drains with nothing failed or left running, and every
  case has exactly one in-site message and one SMS per notifying event (applied, accepted,
  completed);
* **back within 10 s**: after the PostgreSQL restart and after the worker kill the API answers again
  within 10 s (printed).

It runs only against PostgreSQL (``make test``'s PostgreSQL pass: ``DATABASE_URL=postgres://…``) and
is skipped when the PostgreSQL server binaries are missing.  Run it alone with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run pytest -s tests/test_faults.py``.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "yiwang_faults"
LOAD_THREADS = 6
RECOVERY_LIMIT = 10.0  # seconds the service may take to answer again


def _server_binaries() -> Path | None:
    for candidate in [shutil.which("initdb"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))]:
        if candidate and Path(candidate).exists():
            folder = Path(os.path.realpath(candidate)).parent
            if (folder / "pg_ctl").exists() and (folder / "postgres").exists():
                return folder
    return None


BIN = _server_binaries()
pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="fault tests run on PostgreSQL only (make test's PostgreSQL pass)",
    ),
    pytest.mark.skipif(BIN is None, reason="PostgreSQL server binaries (initdb, pg_ctl) not installed"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the ``postgres`` account then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *argv]
    return argv


# --- the cluster ------------------------------------------------------------------------------------
@dataclass
class Cluster:
    base: Path
    port: int

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        assert BIN is not None
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=60 -c shared_buffers=32MB"
        )
        subprocess.run(
            _as_postgres(
                [
                    str(BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.base / "pg.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    *args,
                ]
            ),
            check=True,
            timeout=timeout,
            capture_output=True,
        )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    assert BIN is not None
    base = Path(tempfile.mkdtemp(prefix="yiwang-faults-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    found = Cluster(base, _free_port())
    subprocess.run(
        _as_postgres(
            [
                str(BIN / "initdb"),
                "-D",
                str(found.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ]
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )
    found.pg_ctl("start")
    try:
        import psycopg

        with psycopg.connect(f"postgres://postgres@127.0.0.1:{found.port}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        yield found
    finally:
        with contextlib.suppress(Exception):
            found.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(base, ignore_errors=True)


# --- the platform's processes ------------------------------------------------------------------------
def _env(cluster: Cluster, var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "YIWANG_TEST"))}
    env.update(
        DATABASE_URL=cluster.url,
        YIWANG_PROFILE="demo",
        YIWANG_VAR_DIR=str(var),
        STATICFILES_STORAGE="django.contrib.staticfiles.storage.StaticFilesStorage",
        YIWANG_REQUIRE_DOCUMENT_SEAL="0",
        YIWANG_TASK_BACKEND="django_tasks_db.DatabaseBackend",
        DJANGO_SETTINGS_MODULE="yiwang.settings",
        PYTHONPATH=str(ROOT / "src"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("YIWANG_CACHE_URL", None)
    return env


def setup_database(out: str) -> None:
    """Run in a subprocess against the fault cluster: migrate, one department with an item whose
    standard process is deployed, citizens, a clerk and an approver, and their API tokens."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from yiwang.accounts.services import issue_api_token
    from yiwang.core.calendar import seed_calendar
    from yiwang.core.models import CalendarYear
    from yiwang.testing import portal
    from yiwang.workflow import services as workflow

    call_command("migrate", "--no-input", verbosity=0)
    this_year = timezone.localdate().year
    seed_calendar([this_year, this_year + 1])
    for year in (this_year, this_year + 1, this_year + 2):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "test", "note": "故障测试"})
    workflow.install_default_definitions()
    department = portal.make_department()
    item = portal.make_item(department)
    citizens = [portal.make_citizen(f"fault_citizen{i}") for i in range(LOAD_THREADS)]
    clerk = portal.make_staff(department, "fault_clerk", ["window_clerk"])
    approver = portal.make_staff(department, "fault_approver", ["handler", "approver"])
    Path(out).write_text(
        json.dumps(
            {
                "item": str(item.public_id),
                "materials": [str(m.public_id) for m in item.materials.filter(mandatory=True)],
                "citizens": [issue_api_token(c, name="faults") for c in citizens],
                "clerk": issue_api_token(clerk, name="faults"),
                "approver": issue_api_token(approver, name="faults"),
            }
        )
    )


@dataclass
class Platform:
    cluster: Cluster
    env: dict[str, str]
    port: int
    logs: Path
    web: subprocess.Popen[bytes] | None = None
    worker: subprocess.Popen[bytes] | None = None
    workers_started: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_web(self) -> None:
        env = {
            **self.env,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "2",
            "GUNICORN_ACCESS_LOG": "",
            "GUNICORN_TIMEOUT": "30",
        }
        self.web = subprocess.Popen(
            [sys.executable, "-m", "yiwang.cli", "serve"],
            env=env,
            stdout=open(self.logs / "web.log", "ab"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_worker(self) -> None:
        self.workers_started += 1
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "yiwang.cli", "worker", "--interval", "0.1", "--no-startup-delay"],
            env=self.env,
            stdout=open(self.logs / f"worker{self.workers_started}.log", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def web_workers(self) -> list[int]:
        assert self.web is not None
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


@pytest.fixture(scope="module")
def platform(cluster: Cluster) -> Iterator[tuple[Platform, dict[str, Any]]]:
    var = cluster.base / "var"
    var.mkdir()
    logs = cluster.base / "logs"
    logs.mkdir()
    env = _env(cluster, var)
    fixture_file = cluster.base / "fixture.json"
    started = time.monotonic()
    subprocess.run(
        [sys.executable, __file__, "setup", str(fixture_file)], env=env, check=True, timeout=240, cwd=ROOT
    )
    prepared = time.monotonic() - started
    running = Platform(cluster, env, _free_port(), logs)
    running.start_web()
    running.start_worker()
    try:
        fixture = json.loads(fixture_file.read_text())
        serving = _wait_until_answering(running, fixture["clerk"], limit=90)
        print(f"\nfault cluster: migrated and seeded in {prepared:.1f} s, serving after {serving:.1f} s")
        yield running, fixture
    finally:
        running.stop()
        for log in sorted(logs.glob("*.log")):
            tail = log.read_text(errors="replace")[-3000:]
            print(f"--- {log.name} (tail) ---\n{tail}")


# --- the client --------------------------------------------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _answering(platform: Platform, token: str) -> bool:
    import requests

    try:
        response = requests.get(
            f"{platform.base_url}/api/v1/workbench/todo?limit=1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=2,
        )
    except requests.RequestException:
        return False
    return response.status_code == 200


def _wait_until_answering(platform: Platform, token: str, *, limit: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if _answering(platform, token):
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"the service did not answer within {limit} s")


@dataclass
class Ledger:
    """What the client was told succeeded (2xx), by case public id."""

    filed: set[str] = field(default_factory=set)
    accepted: set[str] = field(default_factory=set)
    decided: set[str] = field(default_factory=set)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def _call(session: Any, method: str, url: str, ledger: Ledger, **kwargs: Any) -> Any:
    """One attempt; ``None`` when the request failed on the way (connection reset, timeout)."""
    import requests

    try:
        response = session.request(method, url, timeout=15, **kwargs)
    except requests.RequestException as exc:
        ledger.count(type(exc).__name__)
        return None
    if response.status_code >= 300:
        ledger.count(str(response.status_code))
    return response


def _load(
    platform: Platform, fixture: dict[str, Any], citizen: str, ledger: Ledger, stop: threading.Event
) -> None:
    """Apply → accept → approve, over and over; each step is retried until it is known to be done."""
    import requests

    api = f"{platform.base_url}/api/v1"
    as_citizen, as_clerk, as_approver = requests.Session(), requests.Session(), requests.Session()
    as_citizen.headers["Authorization"] = f"Bearer {citizen}"
    as_clerk.headers["Authorization"] = f"Bearer {fixture['clerk']}"
    as_approver.headers["Authorization"] = f"Bearer {fixture['approver']}"
    while not stop.is_set():
        key = uuid.uuid4().hex
        case_id = None
        for _attempt in range(40):  # the same Idempotency-Key: a retry never files a second case
            files = {f"material_{m}": ("m.pdf", PDF, "application/pdf") for m in fixture["materials"]}
            data = {
                "item_id": fixture["item"],
                "form_data": json.dumps(
                    {
                        "company_name": "合肥徽创科技有限公司",
                        "registered_capital": "100",
                        "company_type": "有限责任公司",
                    }
                ),
            }
            response = _call(
                as_citizen,
                "POST",
                f"{api}/cases",
                ledger,
                data=data,
                files=files,
                headers={"Idempotency-Key": key},
            )
            if response is not None and response.status_code in (200, 201):
                case_id = response.json()["id"]
                with ledger.lock:
                    ledger.filed.add(case_id)
                break
            time.sleep(0.2)
        if case_id is None:
            continue
        for step, session, path, body, done in (
            ("accepted", as_clerk, "accept", {"comment": ""}, "accepted"),
            ("decided", as_approver, "decide", {"approve": True, "comment": "准予"}, "completed"),
        ):
            for _attempt in range(40):
                response = _call(
                    session, "POST", f"{api}/workbench/cases/{case_id}/{path}", ledger, json=body
                )
                if response is not None and response.status_code == 200:
                    with ledger.lock:
                        getattr(ledger, step).add(case_id)
                    # the applicant reads the detail: it is stored as a snapshot the check compares
                    _call(as_citizen, "GET", f"{api}/cases/{case_id}", ledger)
                    break
                if response is not None and response.status_code == 409:
                    # done by an attempt whose answer was lost? read the case to know
                    detail = _call(session, "GET", f"{api}/workbench/cases/{case_id}", ledger)
                    if (
                        detail is not None
                        and detail.status_code == 200
                        and detail.json()["status"] in (done, "completed")
                    ):
                        break
                time.sleep(0.2)


# --- the checks ----------------------------------------------------------------------------------------
def _query(cluster: Cluster, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(cluster.url) as conn:
        return list(conn.execute(sql, params).fetchall())


def _wait_for_the_queue(cluster: Cluster, limit: float = 60) -> dict[str, int]:
    started = time.monotonic()
    while True:
        counts = dict(
            _query(cluster, "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY status")
        )
        if not counts.get("READY") and not counts.get("RUNNING"):
            return counts
        if time.monotonic() - started > limit:
            return counts
        time.sleep(0.5)


def test_no_case_is_lost_or_half_applied_after_kill_9_and_a_postgresql_restart(platform, capsys):
    running, fixture = platform
    ledger = Ledger()
    stop = threading.Event()
    threads = [
        threading.Thread(target=_load, args=(running, fixture, token, ledger, stop), daemon=True)
        for token in fixture["citizens"]
    ]
    for thread in threads:
        thread.start()
    timings: dict[str, float] = {}

    time.sleep(4)
    victims = running.web_workers()
    assert victims, "gunicorn has no workers"
    os.kill(victims[0], signal.SIGKILL)  # a web worker, in the middle of requests
    timings["web worker killed → answering"] = _wait_until_answering(
        running, fixture["clerk"], limit=RECOVERY_LIMIT
    )

    # The task worker, in the middle of a task: stopped while work piles up, let go, killed while
    # it works through the backlog.
    assert running.worker is not None
    os.killpg(running.worker.pid, signal.SIGSTOP)
    time.sleep(3)
    os.killpg(running.worker.pid, signal.SIGCONT)
    time.sleep(0.3)
    os.killpg(running.worker.pid, signal.SIGKILL)
    running.worker.wait()
    caught = _query(
        running.cluster, "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
    )[0][0]
    time.sleep(1)
    running.start_worker()  # as systemd's Restart=always would

    time.sleep(3)
    started = time.monotonic()
    running.cluster.pg_ctl("restart", "-m", "fast")  # during the load
    timings["PostgreSQL restarted in"] = time.monotonic() - started
    timings["PostgreSQL restart → answering"] = (
        time.monotonic() - started + _wait_until_answering(running, fixture["clerk"], limit=RECOVERY_LIMIT)
    )

    time.sleep(5)
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    queue = _wait_for_the_queue(running.cluster)

    # 0 lost: what the client was told is in the database
    rows = {
        str(public_id): status
        for public_id, status in _query(running.cluster, "SELECT public_id, status FROM cases_case")
    }
    lost_filed = [c for c in ledger.filed if c not in rows]
    lost_accepted = [c for c in ledger.accepted if rows.get(c) not in ("accepted", "completed")]
    lost_decided = [c for c in ledger.decided if rows.get(c) != "completed"]

    # exactly once in effect: one message and one SMS per notifying event of each case
    notifying = ("applied", "accepted", "completed")
    events = dict(
        _query(
            running.cluster,
            "SELECT c.public_id::text, COUNT(*) FROM cases_case c JOIN cases_caseevent e ON e.case_id = c.id "
            "WHERE e.event_type = ANY(%s) GROUP BY c.public_id",
            (list(notifying),),
        )
    )
    messages = dict(
        _query(
            running.cluster,
            "SELECT substring(link from '/my/cases/([0-9a-f-]+)/'), COUNT(*) FROM accounts_inboxmessage "
            "WHERE link LIKE '/my/cases/%%' GROUP BY 1",
        )
    )
    numbers = dict(_query(running.cluster, "SELECT public_id::text, number FROM cases_case"))
    sms = dict(
        _query(
            running.cluster,
            "SELECT substring(body from '办件编号 ([0-9A-Z]+)'), COUNT(*) FROM accounts_smsoutboxmessage GROUP BY 1",
        )
    )
    wrong_messages = {c: (n, messages.get(c, 0)) for c, n in events.items() if messages.get(c, 0) != n}
    wrong_sms = {c: (n, sms.get(numbers[c], 0)) for c, n in events.items() if sms.get(numbers[c], 0) != n}

    check = subprocess.run(
        [sys.executable, "-m", "yiwang.cli", "check_consistency"],
        env=running.env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    requeued = sum(
        log.read_text(errors="replace").count("requeued ") for log in running.logs.glob("worker*.log")
    )
    with capsys.disabled():
        print("\n=== fault test (PostgreSQL) ===")
        print(
            f"cases filed {len(ledger.filed)}, accepted {len(ledger.accepted)}, decided {len(ledger.decided)} "
            f"(acknowledged to the client); in the database {len(rows)}"
        )
        print(f"client-side failures (retried): {dict(sorted(ledger.errors.items()))}")
        for name, seconds in timings.items():
            print(f"{name}: {seconds:.2f} s")
        print(f"tasks left running by the killed task worker: {caught}; requeued on restart: {requeued}")
        print(f"task queue afterwards: {queue}")
        print(f"lost: filed {len(lost_filed)}, accepted {len(lost_accepted)}, decided {len(lost_decided)}")
        print(
            f"cases whose messages / SMS are not exactly one per event: {len(wrong_messages)} / {len(wrong_sms)}"
        )
        print(check.stdout + check.stderr)

    assert ledger.filed and ledger.decided, "the load made no progress"
    assert not lost_filed and not lost_accepted and not lost_decided
    assert check.returncode == 0 and "半途办件：0" in check.stdout, check.stdout
    assert not queue.get("READY") and not queue.get("RUNNING") and not queue.get("FAILED"), queue
    assert not wrong_messages, list(wrong_messages.items())[:5]
    assert not wrong_sms, list(wrong_sms.items())[:5]
    assert timings["web worker killed → answering"] < RECOVERY_LIMIT
    assert timings["PostgreSQL restart → answering"] < RECOVERY_LIMIT


if __name__ == "__main__" and sys.argv[1:2] == ["setup"]:
    setup_database(sys.argv[2])
