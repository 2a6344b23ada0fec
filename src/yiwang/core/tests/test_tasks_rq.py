"""The Redis task backend (``YIWANG_TASK_BACKEND=rq``, yiwang/core/task_backends/rq.py) against a real
Redis and two real ``yiwang worker`` processes (PostgreSQL holds the probe's effects).

Tasks are enqueued through the platform's task API (``task.enqueue``; the result's status is read back
with ``get_result``); one worker is killed with SIGKILL in the middle of a task and not restarted; the
other runs the rest and the killed worker's job again: every task has exactly one effect and ends
SUCCESSFUL.  Skipped when Redis is not reachable on 127.0.0.1:6379.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks import TaskResultStatus, task_backends

from yiwang.core.task_backends import probe
from yiwang.core.task_backends.rq import BACKEND_PATH

ROOT = Path(__file__).resolve().parents[4]
REDIS_URL = os.environ.get("YIWANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
TASKS = 10


def _redis():  # type: ignore[no-untyped-def]
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the workers and the test share the probe's tables in PostgreSQL (make test's PostgreSQL pass)",
    ),
    pytest.mark.django_db(transaction=True),
]
RQ = {
    "TASKS": {"default": {"BACKEND": BACKEND_PATH}},
    "RQ_QUEUES": {"default": {"URL": REDIS_URL}},
}


def _worker(name: str, logs: Path) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        YIWANG_PROFILE="test",
        YIWANG_TEST_TASK_BACKEND="rq",
        YIWANG_TASK_REDIS_URL=REDIS_URL,
        YIWANG_TASK_ORPHAN_CHECK_SECONDS="0.5",
        YIWANG_TASK_ORPHAN_GRACE_SECONDS="0.5",
        PYTHONPATH=str(ROOT / "src"),
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "yiwang.cli", "worker", "--worker-id", name],
        env=env,
        cwd=ROOT,
        stdout=(logs / f"{name}.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_redis_backend_runs_every_task_once_in_effect_when_a_worker_is_killed_mid_task(tmp_path):
    client = _redis()
    if client is None:
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    client.flushdb()
    probe.drop_tables()
    probe.ensure_tables()
    with override_settings(**RQ):
        backend = task_backends["default"]
        assert type(backend).__module__ == "yiwang.core.task_backends.rq"
        results = [probe.counted_effect.enqueue(f"r{i}", 0.5) for i in range(TASKS)]
        assert backend.get_result(results[0].id).status == TaskResultStatus.READY
        workers = [_worker("r1", tmp_path), _worker("r2", tmp_path)]
        # Whichever worker is first caught inside a task is killed (the one started first may take every
        # task before the other is up on a loaded machine, so the victim is not fixed in advance).
        names = {f"{socket.gethostname()[:40]}-pid{w.pid}": w for w in workers}
        try:
            deadline = time.monotonic() + 60
            victim, mine, attempted = None, set(), set()
            while (
                time.monotonic() < deadline and victim is None
            ):  # a worker inside a task: attempted, no effect
                attempted = set(probe.counts("yiwang_probe_attempt")) - set(
                    probe.counts("yiwang_probe_effect")
                )
                with connection.cursor() as cursor:
                    cursor.execute("SELECT key, worker FROM yiwang_probe_attempt")
                    rows = cursor.fetchall()
                for name, process in names.items():
                    mine = {key for key, worker in rows if worker == name}
                    if mine & attempted:
                        victim = process
                        break
                else:
                    time.sleep(0.05)
            if victim is None:
                raise AssertionError("no worker was ever caught inside a task")
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
            killed_in = mine & attempted
            deadline = time.monotonic() + 40
            while len(probe.counts("yiwang_probe_effect")) < TASKS and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(0.5)  # the last job's result written after its effect
            statuses = [backend.get_result(r.id).status for r in results]
        finally:
            for process in workers:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                    try:
                        process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        os.killpg(process.pid, signal.SIGKILL)
                        process.wait()
    logs = "\n".join(p.read_text(errors="replace")[-2000:] for p in tmp_path.glob("*.log"))
    effects, attempts = probe.counts("yiwang_probe_effect"), probe.counts("yiwang_probe_attempt")
    print(
        f"\n{TASKS} tasks on Redis: {len(effects)} effects, {sum(attempts.values())} attempts; killed in {killed_in}"
    )
    assert len(effects) == TASKS, logs  # none lost
    assert set(effects.values()) == {1}, logs  # none doubled
    assert {key for key, n in attempts.items() if n > 1} == killed_in, logs  # only the killed job ran again
    assert statuses == [TaskResultStatus.SUCCESSFUL] * TASKS, logs
    probe.drop_tables()
    client.flushdb()
