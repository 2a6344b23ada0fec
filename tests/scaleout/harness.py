"""Several nodes of one Yiwang on one PostgreSQL behind HAProxy: the scale-out test and benchmark.

Used by tests/scaleout/test_scaleout.py (2 web nodes + 2 task workers + 1 scheduler, one web node and
one worker killed mid-run) and bench/scaleout.py (1 vs 2 web nodes on separate CPU sets).

* :func:`setup_data` (inside Django, against the database the nodes will use): a department with an
  item, citizens with API tokens, clerks with a TOTP device, a few cases to open; returns the fixture.
* :class:`Nodes`: starts ``yiwang serve`` per web node (``taskset -c`` when given CPU sets),
  ``yiwang worker`` per task worker, ``yiwang scheduler``, and Debian's HAProxy with
  ``deploy/haproxy/yiwang.cfg``; kills (SIGKILL to the whole process group) and stops them.
* :class:`Load`: client threads through HAProxy.  Clerks log in through the real log-in and MFA
  pages (bench/browser.py) and read the to-do page and case pages, and beside each clerk a visitor
  reads the item's service guide (``guide``, a catalogue read the router sends to a replica);
  citizens apply through the API with an ``Idempotency-Key`` and then read the guide
  (``guide_after_apply``: they just wrote, so read-your-writes keeps them on the primary).  A request that failed on the way (connection error, 502/503/504: it
  never reached a node or the node died under it) is retried by the client — GETs always, the
  application with the same key — and counted as retried; anything else counts as an error.
* :func:`check`: cases acknowledged vs. in the database, notification tasks enqueued vs. their
  effects (one in-site message and one SMS per case's 'applied' event), the task queue drained.
* :class:`Replica`: a primary + streaming replica pair of new clusters (scripts/pg_replica.py, Debian's
  PostgreSQL programs) with the test database copied into the primary (``pg_dump | psql``); the nodes
  then run with ``DATABASE_URL`` on the primary and ``DATABASE_REPLICA_URL`` on the replica, so
  lag-tolerant reads (catalogue, organisations: yiwang.core.dbrouter) go to the replica and a user
  who just wrote reads from the primary (read-your-writes, ADR 0021).  :meth:`Replica.reads` is the
  replica's own ``pg_stat_database`` row (transactions and rows it served).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy" / "yiwang.cfg"
PG_REPLICA = ROOT / "scripts" / "pg_replica.py"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLERK_PASSWORD = "Scale@2026-out"
RETRYABLE = {502, 503, 504}
DEVICES: dict[str, Any] = {}  # clerk → bench_browser.Totp, kept across runs (see Load.sessions)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def haproxy() -> str | None:
    return shutil.which("haproxy") or next(
        (p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if Path(p).exists()), None
    )


def bench_browser() -> Any:
    """bench/browser.py (the real log-in + MFA flow), loaded by path."""
    module = sys.modules.get("bench_browser")
    if module is None:
        spec = importlib.util.spec_from_file_location("bench_browser", ROOT / "bench" / "browser.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_browser"] = module
        spec.loader.exec_module(module)
    return module


def pg_replica() -> Any:
    """scripts/pg_replica.py, loaded by path."""
    module = sys.modules.get("pg_replica")
    if module is None:
        spec = importlib.util.spec_from_file_location("pg_replica", PG_REPLICA)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["pg_replica"] = module
        spec.loader.exec_module(module)
    return module


# --- data ---------------------------------------------------------------------------------------------
def setup_data(citizens: int = 4, clerks: int = 2, cases: int = 6) -> dict[str, Any]:
    """Inside Django: the data of a run; returns the fixture (ids, tokens, log-in details)."""
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yiwang.accounts.services import issue_api_token
    from yiwang.core.demo_accounts import DEMO_TOTP_KEY_HEX
    from yiwang.core.keyring import keyring
    from yiwang.core.models import CalendarYear
    from yiwang.testing import portal

    keyring.clear()  # data keys cached by an earlier transactional test are gone from the database
    this_year = timezone.localdate().year
    portal.seed_test_calendar()
    for year in (this_year, this_year + 1, this_year + 2):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "test", "note": "扩展测试"})
    department = portal.make_department()
    item = portal.make_item(department)
    people = [portal.make_citizen(f"scale_citizen{i}") for i in range(citizens)]
    staff = []
    for i in range(clerks):
        clerk = portal.make_staff(department, f"scale_clerk{i}", ["window_clerk", "handler"])
        clerk.set_password(CLERK_PASSWORD)
        clerk.save(update_fields=["password"])
        TOTPDevice.objects.create(user=clerk, name="scale-out", key=DEMO_TOTP_KEY_HEX, confirmed=True)
        staff.append(clerk.username)
    opened = [str(portal.apply_for(item, people[i % len(people)]).public_id) for i in range(cases)]
    return {
        "item": str(item.public_id),
        "materials": [str(m.public_id) for m in item.materials.filter(mandatory=True)],
        "citizens": [issue_api_token(c, name="scale-out") for c in people],
        "clerks": staff,
        "totp_key": DEMO_TOTP_KEY_HEX,
        "cases": opened,
    }


# --- the nodes ----------------------------------------------------------------------------------------
@dataclass
class Nodes:
    database_url: str
    logs: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    web_cpus: list[str | None] = field(default_factory=lambda: [None, None])
    web_concurrency: int = 2
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    web_ports: list[int] = field(default_factory=list)
    lb_port: int = 0

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "YIWANG_TEST_TODAY"))}
        env.update(
            DATABASE_URL=self.database_url,
            YIWANG_PROFILE="test",
            YIWANG_TEST_TASK_BACKEND="database",
            YIWANG_REQUIRE_DOCUMENT_SEAL="0",
            YIWANG_TASK_ORPHAN_CHECK_SECONDS="1",
            YIWANG_TASK_ORPHAN_GRACE_SECONDS="1",
            PYTHONPATH=str(ROOT / "src"),
            PYTHONUNBUFFERED="1",
            **self.extra_env,
        )
        env.update(extra)
        return env

    def _start(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.processes[name] = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdout=(self.logs / f"{name}.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_web(self, index: int) -> None:
        port = self.web_ports[index]
        env = self.env(
            PORT=str(port),
            WEB_CONCURRENCY=str(self.web_concurrency),
            GUNICORN_THREADS="2",
            GUNICORN_ACCESS_LOG="",
            GUNICORN_TIMEOUT="30",
        )
        cpus = self.web_cpus[index] if index < len(self.web_cpus) else None
        prefix = ["taskset", "-c", cpus] if cpus else []
        self._start(f"web{index + 1}", [*prefix, sys.executable, "-m", "yiwang.cli", "serve"], env)

    def start_worker(self, index: int) -> None:
        argv = [sys.executable, "-m", "yiwang.cli", "worker", "--interval", "0.1", "--no-startup-delay"]
        self._start(f"worker{index + 1}", [*argv, "--worker-id", f"scale-worker{index + 1}"], self.env())

    def start_scheduler(self) -> None:
        env = self.env(YIWANG_SCHEDULER_PROBE="scaleout_probe:2", YIWANG_SCHEDULER_LOCK_POLL_SECONDS="0.5")
        self._start("scheduler", [sys.executable, "-m", "yiwang.cli", "scheduler"], env)

    def start_haproxy(self, webs: int) -> None:
        binary = haproxy()
        assert binary is not None, "haproxy is not installed (apt-get install haproxy)"
        self.lb_port = free_port()
        env = {
            **os.environ,
            "YIWANG_LB_BIND": f"127.0.0.1:{self.lb_port}",
            "YIWANG_WEB1": f"127.0.0.1:{self.web_ports[0]}",
            # One node: the second server line points at the first (the same node twice).
            "YIWANG_WEB2": f"127.0.0.1:{self.web_ports[1 if webs > 1 else 0]}",
        }
        self._start("haproxy", [binary, "-db", "-f", str(HAPROXY_CONFIG)], env)

    def start(self, *, webs: int = 2, workers: int = 2, scheduler: bool = True) -> None:
        self.web_ports = [free_port() for _ in range(max(2, webs))]
        for index in range(webs):
            self.start_web(index)
        for index in range(workers):
            self.start_worker(index)
        if scheduler:
            self.start_scheduler()
        self.start_haproxy(webs)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}"

    def wait_until_serving(self, limit: float = 90) -> float:
        import requests

        started = time.monotonic()
        targets = [f"http://127.0.0.1:{p}/healthz" for p in self.web_ports if self._web_running(p)]
        targets.append(f"{self.url}/healthz")
        while time.monotonic() - started < limit:
            with contextlib.suppress(requests.RequestException):
                if all(requests.get(t, timeout=2).status_code == 200 for t in targets):
                    return time.monotonic() - started
            time.sleep(0.3)
        raise AssertionError(f"the nodes did not answer within {limit:.0f} s\n{self.tails()}")

    def _web_running(self, port: int) -> bool:
        index = self.web_ports.index(port)
        process = self.processes.get(f"web{index + 1}")
        return process is not None and process.poll() is None

    def kill(self, name: str) -> None:
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def tails(self, size: int = 2500) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-size:]}"
            for log in sorted(self.logs.glob("*.log"))
        )


# --- the load -----------------------------------------------------------------------------------------
@dataclass
class Ledger:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: Counter[str] = field(default_factory=Counter)
    retried: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    applied: set[str] = field(default_factory=set)

    def note(self, what: str, key: str, seconds: float | None = None) -> None:
        with self.lock:
            getattr(self, what)[key] += 1
            if seconds is not None:
                self.latencies.setdefault(key, []).append(seconds)


class Load:
    """Client threads through the load balancer (see the module); ``scenarios`` picks what they do."""

    def __init__(
        self,
        base_url: str,
        fixture: dict[str, Any],
        *,
        clerk_threads: int = 2,
        citizen_threads: int = 2,
        scenarios: tuple[str, ...] = ("todo", "detail", "apply", "guide"),
    ) -> None:
        self.base_url = base_url
        self.fixture = fixture
        self.ledger = Ledger()
        self.stopping = threading.Event()
        self.scenarios = scenarios
        self.cases = list(fixture["cases"])
        self.threads: list[threading.Thread] = []
        self.clerk_threads = clerk_threads if {"todo", "detail"} & set(scenarios) else 0
        self.citizen_threads = citizen_threads if "apply" in scenarios else 0

    def sessions(self) -> list[Any]:
        """One logged-in session per clerk thread, through the real log-in and MFA pages."""
        import requests

        browser = bench_browser()
        # One device state per clerk for the whole process: the server refuses a TOTP step already
        # used, so a later run's log-ins must follow the earlier ones' (bench/browser.py).
        devices = {
            name: DEVICES.setdefault(name, browser.Totp(key_hex=self.fixture["totp_key"]))
            for name in self.fixture["clerks"]
        }
        sessions = []
        for i in range(self.clerk_threads):
            name = self.fixture["clerks"][i % len(self.fixture["clerks"])]
            account = browser.Account(username=name, password=CLERK_PASSWORD, staff=True, totp=devices[name])
            jar = browser.login(self.base_url, account)
            session = requests.Session()
            session.cookies.update(jar)
            sessions.append(session)
        return sessions

    def request(self, session: Any, scenario: str, method: str, path: str, **kwargs: Any) -> Any:
        """One request, retried while it failed on the way (see the module); None when it gave up."""
        import requests

        for attempt in range(30):
            started = time.monotonic()
            try:
                response = session.request(
                    method, self.base_url + path, timeout=30, allow_redirects=False, **kwargs
                )
            except requests.RequestException as exc:
                self.ledger.note("retried", f"{scenario} {type(exc).__name__}")
            else:
                if response.status_code not in RETRYABLE:
                    self.ledger.note("requests", scenario, time.monotonic() - started)
                    if response.status_code >= 300:
                        self.ledger.note("errors", f"{scenario} {response.status_code}")
                    return response
                self.ledger.note("retried", f"{scenario} {response.status_code}")
            if self.stopping.is_set() and attempt > 10:
                break
            time.sleep(0.1)
        self.ledger.note("errors", f"{scenario} gave up")
        return None

    def clerk(self, session: Any) -> None:
        import requests

        rng = random.Random()
        visitor = requests.Session()  # somebody reading the service guide, who never wrote
        while not self.stopping.is_set():
            if "todo" in self.scenarios:
                self.request(session, "todo", "GET", "/workbench/")
            if "detail" in self.scenarios:
                self.request(session, "detail", "GET", f"/workbench/cases/{rng.choice(self.cases)}/")
            if "guide" in self.scenarios:  # a lag-tolerant catalogue read: the replica when there is one
                self.request(visitor, "guide", "GET", f"/api/v1/catalog/items/{self.fixture['item']}")

    def citizen(self, token: str) -> None:
        import requests

        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        form = json.dumps(
            {
                "company_name": "合肥徽创科技有限公司",
                "registered_capital": "100",
                "company_type": "有限责任公司",
            }
        )
        while not self.stopping.is_set():
            files = {f"material_{m}": ("m.pdf", PDF, "application/pdf") for m in self.fixture["materials"]}
            response = self.request(
                session,
                "apply",
                "POST",
                "/api/v1/cases",
                data={"item_id": self.fixture["item"], "form_data": form},
                files=files,
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            if response is not None and response.status_code in (200, 201):
                with self.ledger.lock:
                    self.ledger.applied.add(response.json()["id"])
                if "guide" in self.scenarios:  # just wrote: read-your-writes sends this to the primary
                    self.request(
                        session, "guide_after_apply", "GET", f"/api/v1/catalog/items/{self.fixture['item']}"
                    )

    def start(self) -> None:
        sessions = self.sessions()
        self.threads = [threading.Thread(target=self.clerk, args=(s,), daemon=True) for s in sessions]
        tokens = self.fixture["citizens"]
        self.threads += [
            threading.Thread(target=self.citizen, args=(tokens[i % len(tokens)],), daemon=True)
            for i in range(self.citizen_threads)
        ]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)


# --- the checks ---------------------------------------------------------------------------------------
def query(database_url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return list(conn.execute(sql, params).fetchall())


def queue_state(database_url: str) -> dict[str, int]:
    return dict(
        query(database_url, "SELECT status, COUNT(*) FROM django_tasks_database_dbtaskresult GROUP BY 1")
    )


def wait_for_queue(database_url: str, limit: float = 60) -> dict[str, int]:
    deadline = time.monotonic() + limit
    state = queue_state(database_url)
    while time.monotonic() < deadline:
        state = queue_state(database_url)
        if not {"READY", "RUNNING"} & set(state):
            break
        time.sleep(0.5)
    return state


def check(database_url: str, ledger: Ledger, known_cases: list[str]) -> dict[str, Any]:
    """The counts the kill test prints and judges (see the module)."""
    in_db = {str(r[0]) for r in query(database_url, "SELECT public_id FROM cases_case")}
    applied_events = dict(
        query(
            database_url,
            "SELECT c.public_id::text, COUNT(*) FROM cases_case c JOIN cases_caseevent e ON e.case_id = c.id "
            "WHERE e.event_type = 'applied' GROUP BY 1",
        )
    )
    messages = dict(
        query(
            database_url,
            "SELECT substring(link from '/my/cases/([0-9a-f-]+)/'), COUNT(*) FROM accounts_inboxmessage "
            "WHERE link LIKE '/my/cases/%%' GROUP BY 1",
        )
    )
    numbers = dict(query(database_url, "SELECT public_id::text, number FROM cases_case"))
    sms = dict(
        query(
            database_url,
            "SELECT substring(body from '办件编号 ([0-9A-Z]+)'), COUNT(*) FROM accounts_smsoutboxmessage GROUP BY 1",
        )
    )
    new_cases = in_db - set(known_cases)
    return {
        "requests": sum(ledger.requests.values()),
        "requests_by_scenario": dict(ledger.requests),
        "errors": dict(ledger.errors),
        "retried_in_flight": dict(ledger.retried),
        "cases_applied_acknowledged": len(ledger.applied),
        "cases_in_database_new": len(new_cases),
        "cases_acknowledged_missing": len(ledger.applied - in_db),
        "cases_in_database_not_acknowledged": len(new_cases - ledger.applied),
        "tasks": queue_state(database_url),
        "notifying_events": sum(applied_events.get(c, 0) for c in new_cases),
        "messages": sum(messages.get(c, 0) for c in new_cases),
        "sms": sum(sms.get(numbers[c], 0) for c in new_cases),
        "cases_without_exactly_one_message": sum(1 for c in new_cases if messages.get(c, 0) != 1),
        "cases_without_exactly_one_sms": sum(1 for c in new_cases if sms.get(numbers[c], 0) != 1),
    }


# --- the replica --------------------------------------------------------------------------------------
REPLICA_STATS = ("xact_commit", "tup_returned", "tup_fetched", "blks_hit")
REPLICA_STATS_SQL = (
    "SELECT xact_commit, tup_returned, tup_fetched, blks_hit FROM pg_stat_database "
    "WHERE datname = current_database()"
)


@dataclass
class Replica:
    """A primary + streaming replica (scripts/pg_replica.py) holding a copy of a database (see the module)."""

    state: dict[str, Any]
    seconds: float = 0.0

    @classmethod
    def start(cls, source_url: str) -> Replica:
        started = time.monotonic()
        result = subprocess.run(  # in a new folder under /tmp: the postgres account must reach it
            [sys.executable, str(PG_REPLICA), "start"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        replica = cls(json.loads(result.stdout))
        try:
            pg_replica().copy_database(source_url, replica.primary_url)
            replica.wait_caught_up()
        except BaseException:
            replica.stop()
            raise
        replica.seconds = time.monotonic() - started
        return replica

    @property
    def primary_url(self) -> str:
        return str(self.state["primary_url"])

    @property
    def replica_url(self) -> str:
        return str(self.state["replica_url"])

    def lsn_behind(self) -> int:
        """Bytes of WAL the replica has not replayed yet (0 once it has everything the primary wrote)."""
        (written,) = query(self.primary_url, "SELECT pg_current_wal_lsn()::text")[0]
        (behind,) = query(
            self.replica_url, "SELECT pg_wal_lsn_diff(%s::pg_lsn, pg_last_wal_replay_lsn())", (written,)
        )[0]
        return max(0, int(behind))

    def wait_caught_up(self, limit: float = 30) -> float:
        started = time.monotonic()
        while self.lsn_behind() > 0:
            assert time.monotonic() - started < limit, f"the replica is still behind after {limit:.0f} s"
            time.sleep(0.05)
        return time.monotonic() - started

    def reads(self) -> dict[str, int]:
        """The replica's own counters of its database (pg_stat_database on the standby)."""
        row = query(self.replica_url, REPLICA_STATS_SQL)[0]
        return dict(zip(REPLICA_STATS, (int(v) for v in row), strict=True))

    def stop(self) -> None:
        subprocess.run(
            [sys.executable, str(PG_REPLICA), "stop", "--dir", str(self.state["dir"])],
            timeout=120,
            check=False,
        )
