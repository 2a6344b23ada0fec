"""The task worker requeues what a crash left running and retries a task that lost its database
(yiwang/core/task_worker.py); the fault test (tests/test_faults.py) does the same against real
processes and PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest
from django.db.utils import OperationalError
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from yiwang.core.task_worker import DatabaseLost, ResilientWorker, default_worker_id, requeue_orphans

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
HOST = socket.gethostname()[:40]


@task()
def loses_its_database() -> None:
    raise OperationalError("server closed the connection unexpectedly")


@task()
def has_a_bug() -> None:
    raise ValueError("a bug, not a lost connection")


def _result(status: str, worker_ids: list[str], path: str = "loses_its_database") -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=f"{__name__}.{path}",
        backend_name="default",
        run_after=timezone.now(),
        worker_ids=worker_ids,
        started_at=timezone.now() if status == TaskResultStatus.RUNNING else None,
    )


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_tasks_left_running_by_this_worker_or_a_dead_one_go_back_to_the_queue():
    mine = _result(TaskResultStatus.RUNNING, ["node-1"])
    dead = _result(TaskResultStatus.RUNNING, [f"{HOST}-pid{_dead_pid()}"])
    alive = _result(TaskResultStatus.RUNNING, [f"{HOST}-pid{os.getppid()}"])
    elsewhere = _result(TaskResultStatus.RUNNING, ["another-host-pid1"])
    done = _result(TaskResultStatus.SUCCESSFUL, ["node-1"])
    assert requeue_orphans("node-1") == 2
    status = dict(DBTaskResult.objects.values_list("id", "status"))
    assert status[mine.id] == status[dead.id] == TaskResultStatus.READY
    assert status[alive.id] == status[elsewhere.id] == TaskResultStatus.RUNNING
    assert status[done.id] == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(pk=mine.pk).started_at is None


def test_the_default_worker_id_names_host_and_process():
    assert default_worker_id() == f"{HOST}-pid{os.getpid()}"


def _worker() -> ResilientWorker:
    return ResilientWorker(
        queue_names=["default"],
        interval=0.01,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="node-1",
        excluded_queue_names=[],
    )


@override_settings(TASKS=DB_TASKS)
def test_a_task_that_lost_its_database_is_not_recorded_failed_but_run_again():
    result = _result(TaskResultStatus.RUNNING, ["node-1"])
    with pytest.raises(DatabaseLost):
        _worker().run_task(result)
    assert DBTaskResult.objects.get(pk=result.pk).status == TaskResultStatus.RUNNING
    assert requeue_orphans("node-1") == 1  # what the worker does once the database answers again


@override_settings(TASKS=DB_TASKS)
def test_a_task_that_keeps_losing_its_database_fails_after_max_attempts():
    result = _result(TaskResultStatus.RUNNING, ["node-1"] * 5)
    _worker().run_task(result)
    assert DBTaskResult.objects.get(pk=result.pk).status == TaskResultStatus.FAILED


@override_settings(TASKS=DB_TASKS)
def test_a_bug_is_recorded_failed_at_once():
    result = _result(TaskResultStatus.RUNNING, ["node-1"], path="has_a_bug")
    _worker().run_task(result)
    assert DBTaskResult.objects.get(pk=result.pk).status == TaskResultStatus.FAILED
