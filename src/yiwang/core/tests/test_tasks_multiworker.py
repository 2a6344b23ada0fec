"""The database task backend across several real worker processes (PostgreSQL; issue 26).

Three ``yiwang worker`` processes share one queue of tasks whose effect is a counted, idempotent
insert (:mod:`yiwang.core.task_backends.probe`); one of them is killed with SIGKILL while it runs a
task and is not restarted (a node lost).  Afterwards every task has exactly one effect, the queue is
drained with nothing failed or left running, and the attempts show SKIP LOCKED at work: no task was
attempted twice except the one(s) the killed worker held, which a surviving worker took over once
the killed worker's lock was gone (yiwang/core/task_worker.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from yiwang.core.task_backends import probe

ROOT = Path(__file__).resolve().parents[4]
TASKS = 30
pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="several workers on one queue need PostgreSQL (SKIP LOCKED); make test's PostgreSQL pass",
    ),
    pytest.mark.django_db(transaction=True),
]


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DATABASE_URL=database_url(),
        YIWANG_PROFILE="test",
        YIWANG_TEST_TASK_BACKEND="database",
        YIWANG_TASK_ORPHAN_CHECK_SECONDS="0.5",
        YIWANG_TASK_ORPHAN_GRACE_SECONDS="0.5",
        PYTHONPATH=str(ROOT / "src"),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def start_worker(name: str, logs: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "yiwang.cli",
            "worker",
            "--interval",
            "0.05",
            "--no-startup-delay",
            "--worker-id",
            name,
        ],
        env=worker_env(),
        cwd=ROOT,
        stdout=(logs / f"{name}.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(condition, limit: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {limit:.0f} s: {what}")


def test_three_workers_run_every_task_once_in_effect_and_a_killed_workers_task_is_taken_over(tmp_path):
    probe.drop_tables()
    probe.ensure_tables()
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        for i in range(TASKS):
            probe.counted_effect.enqueue(f"t{i}", 0.1)
    workers = [start_worker(f"w{n}", tmp_path) for n in (1, 2, 3)]
    try:
        # Kill w2 while it runs a task (its claim is visible in the queue table).
        def w2_is_running_a_task() -> bool:
            return DBTaskResult.objects.filter(
                status=TaskResultStatus.RUNNING, worker_ids__contains=["w2"]
            ).exists()

        wait_for(w2_is_running_a_task, 60, "worker w2 running a task")
        held_by_w2 = set(
            DBTaskResult.objects.filter(
                status=TaskResultStatus.RUNNING, worker_ids__contains=["w2"]
            ).values_list("id", flat=True)
        )
        os.killpg(workers[1].pid, signal.SIGKILL)
        workers[1].wait()

        def drained() -> bool:
            return not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()

        wait_for(drained, 60, "the queue drained by the two surviving workers")
    finally:
        stop(workers)
        logs = "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in tmp_path.glob("*.log")
        )
    effects = probe.counts("yiwang_probe_effect")
    attempts = probe.counts("yiwang_probe_attempt")
    results = DBTaskResult.objects.all()
    print(
        f"\n{TASKS} tasks: {len(effects)} with an effect, {sum(attempts.values())} attempts, took over {held_by_w2}"
    )
    assert len(effects) == TASKS, logs  # none lost
    assert set(effects.values()) == {1}, logs  # none doubled
    assert results.count() == TASKS
    assert not results.exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    # SKIP LOCKED: one attempt per task, except the task(s) w2 was running when it was killed.
    retried = {key for key, n in attempts.items() if n > 1}
    taken_over = {r.args_kwargs["args"][0] for r in results.filter(id__in=held_by_w2)}
    assert retried == taken_over, (retried, taken_over)
    assert all(attempts[key] == 2 for key in retried)
    for result in results.filter(id__in=held_by_w2):
        assert result.worker_ids[0] == "w2" and result.worker_ids[-1] in {"w1", "w3"}
    # Both survivors took part (the queue was shared, not drained by one).
    finishers = {r.worker_ids[-1] for r in results}
    assert finishers >= {"w1", "w3"}
    probe.drop_tables()
