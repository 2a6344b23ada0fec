"""Scheduled jobs run once across nodes (issue 26): the scheduler lock (yiwang/core/scheduler.py).

In process: a follower plans but does not run, and takes over when the leader's lock is free; the
SQLite fallback (a file lock) admits one holder.  With real processes (PostgreSQL): two
``yiwang scheduler`` on one database with a 1-second probe job; the runs are counted, the leader is
killed with SIGKILL and the other takes over within seconds.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from yiwang.core.scheduler import Job, Scheduler
from yiwang.core.task_backends import probe
from yiwang.core.task_backends.locks import SCHEDULER, ProcessLock

ROOT = Path(__file__).resolve().parents[4]
TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


class FakeLock:
    def __init__(self) -> None:
        self.free = False
        self.mine = False

    def acquire(self) -> bool:
        if self.free:
            self.mine = True
        return self.mine

    def held(self) -> bool:
        return self.mine

    def release(self) -> None:
        self.mine = False


def test_a_follower_plans_without_running_and_takes_over_from_the_next_due_time():
    clock = Clock(datetime(2031, 3, 5, 10, 0, tzinfo=TZ))
    ran: list[str] = []
    lock = FakeLock()
    job = Job("minutely", ("x",), every=timedelta(minutes=1), at_start=True)
    scheduler = Scheduler([job], now=clock, runner=lambda j: ran.append(j.name) or True, lock=lock)  # type: ignore[arg-type]
    scheduler.step()  # another node leads: the start run is theirs
    clock.moment += timedelta(minutes=1)
    scheduler.step()
    assert ran == []
    assert scheduler.next_run["minutely"] == datetime(2031, 3, 5, 10, 2, tzinfo=TZ)
    # With a lock, interval jobs keep to the grid every scheduler plans: 10:02:00, not 10:02:20.
    clock.moment = datetime(2031, 3, 5, 10, 1, 20, tzinfo=TZ)
    assert scheduler.next_after(job, clock.moment) == datetime(2031, 3, 5, 10, 2, tzinfo=TZ)
    clock.moment = datetime(2031, 3, 5, 10, 1, tzinfo=TZ)
    lock.free = True  # the leader died
    clock.moment += timedelta(seconds=30)
    scheduler.step()
    assert ran == [] and scheduler.leading  # nothing due at 10:01:30: no catch-up run
    clock.moment += timedelta(seconds=30)
    scheduler.step()
    assert ran == ["minutely"]


@pytest.mark.django_db
def test_the_file_lock_of_sqlite_admits_one_holder(settings, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the file-lock fallback is SQLite's")
    settings.VAR_DIR = tmp_path
    first, second = ProcessLock(SCHEDULER, "scheduler"), ProcessLock(SCHEDULER, "scheduler")
    assert first.acquire() is True
    assert second.acquire() is False
    first.release()
    assert second.acquire() is True
    second.release()


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _scheduler(name: str, logs: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=_database_url(),
        YIWANG_PROFILE="test",
        YIWANG_SCHEDULER_PROBE="probe:1",
        YIWANG_SCHEDULER_LOCK_POLL_SECONDS="0.2",
        PYTHONPATH=str(ROOT / "src"),
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "yiwang.cli", "scheduler"],
        env=env,
        cwd=ROOT,
        stdout=(logs / f"{name}.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _runs() -> list[tuple[str, float]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT worker, at FROM yiwang_probe_scheduled_run ORDER BY at")
        return [(str(w), float(at)) for w, at in cursor.fetchall()]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="schedulers on several nodes share a PostgreSQL database (make test's PostgreSQL pass)",
)
@pytest.mark.django_db(transaction=True)
def test_two_scheduler_processes_run_each_due_time_once_and_a_killed_leader_is_replaced(tmp_path):
    probe.drop_tables()
    probe.ensure_tables()
    schedulers = [_scheduler("a", tmp_path), _scheduler("b", tmp_path)]
    try:
        deadline = time.monotonic() + 60
        while len(_runs()) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        before = _runs()
        leaders = {worker for worker, _ in before}
        assert len(leaders) == 1, before  # one node runs the jobs
        leader_pid = int(next(iter(leaders)).rsplit("pid", 1)[1])
        leader = next(p for p in schedulers if p.pid == leader_pid)
        os.killpg(leader.pid, signal.SIGKILL)
        killed_at = time.time()
        time.sleep(3)
        after = [(w, at) for w, at in _runs() if at > killed_at]
    finally:
        for process in schedulers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    logs = "\n".join(p.read_text(errors="replace")[-1500:] for p in tmp_path.glob("*.log"))
    runs = _runs()
    # The first run is the leader's start run (off the grid); every later one keeps to the 1-s grid.
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(runs[1:])]
    print(
        f"\n{len(runs)} runs; gaps {[round(g, 2) for g in gaps]}; taken over after the kill: {len(after)} runs"
    )
    assert min(gaps) > 0.8, logs  # never two runs for one due time
    assert after and {w for w, _ in after}.isdisjoint(leaders), logs  # the other node took over
    assert after[0][1] - killed_at < 2.5, logs  # … within the poll and the next due time
    probe.drop_tables()
