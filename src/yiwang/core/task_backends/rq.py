"""The Redis task backend (``YIWANG_TASK_BACKEND=rq``): django-tasks-rq on RQ, behind the same task API.

Tasks are enqueued exactly as with the database backend (``some_task.enqueue(...)``, or
:func:`yiwang.core.outbox.enqueue_with_transaction`, which publishes on commit for a broker);
``get_result`` answers from RQ's job hash (status, return value, errors, worker names) until its
result TTL (``RQ_QUEUES[…]["DEFAULT_RESULT_TTL"]``, a day here) runs out.

What a killed worker leaves behind.  ``yiwang worker`` runs RQ's ``SimpleWorker`` (the task runs in
the worker process, as with the database worker, so a ``kill -9`` stops the task too).  Every job is
enqueued with :data:`RETRIES` retries, and a job whose worker died is handed back to its queue by
RQ's own abandoned-job handling (``StartedJobRegistry.cleanup``: retried while it has retries left).
RQ notices a dead worker only after its execution's heartbeat expires (a minute and more), so the
platform's worker also keeps a short-lived liveness key in Redis (``yiwang:rq-worker:<name>``,
refreshed every ``YIWANG_TASK_ORPHAN_CHECK_SECONDS``) and, at start and on that beat, puts back the
jobs running under its own name (a previous life), under the default name of a dead process on this
host, or under a name whose liveness key has expired (a worker on another node) once they are older
than ``YIWANG_TASK_ORPHAN_GRACE_SECONDS``.  A job retried this way runs again from the start: tasks are
idempotent in effect (as with the database backend), and a task that raises is retried too (RQ's
retry does not tell the two apart), at most :data:`RETRIES` times, then recorded failed.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

import django_rq
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq.backend import Job as TaskJob
from django_tasks_rq.backend import RQBackend as BaseRQBackend
from django_tasks_rq.backend import failed_callback, success_callback
from rq import Retry
from rq.executions import Execution
from rq.job import Callback, JobStatus
from rq.worker import SimpleWorker

from yiwang.core.task_worker import is_orphaned, orphan_grace

logger = logging.getLogger("yiwang.tasks")

RETRIES = 3
ALIVE_KEY = "yiwang:rq-worker:{}"
BACKEND_PATH = "yiwang.core.task_backends.rq.RQBackend"


class RQBackend(BaseRQBackend):
    """django-tasks-rq's backend, enqueueing every job with :data:`RETRIES` retries (see the module)."""

    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        task_result: TaskResult = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        queue = django_rq.get_queue(task.queue_name, job_class=TaskJob)
        job = queue.create_job(
            task.module_path,
            args=args,
            kwargs=kwargs,
            job_id=task_result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(failed_callback),
            on_success=Callback(success_callback),
            meta={"backend_name": self.alias},
            retry=Retry(max=RETRIES),
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(task_result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=task_result)
        return task_result


def _orphaned(connection: Any, worker_name: str, me: str, started: float, mine: bool) -> bool:
    if worker_name == me:
        return mine
    if is_orphaned(worker_name, me):
        return True
    if time.time() - started < orphan_grace():
        return False
    return not connection.exists(ALIVE_KEY.format(worker_name))


def requeue_orphaned_jobs(queues: list[Any], me: str, *, mine: bool = True) -> int:
    """Hand the jobs dead workers left started back to RQ's abandoned-job handling; how many."""
    handed = 0
    for queue in queues:
        registry = queue.started_job_registry
        connection = registry.connection
        for entry in connection.zrange(registry.key, 0, -1):
            composite = entry.decode() if isinstance(entry, bytes) else str(entry)
            job_id, _, execution_id = composite.partition(":")
            try:
                execution = Execution.fetch(execution_id, job_id, connection)
                started = execution.created_at.timestamp()
            except Exception:  # an execution that is gone is left to RQ's own cleanup
                logger.debug("execution %s of job %s is gone", execution_id, job_id)
                continue
            if _orphaned(connection, execution.worker_name, me, started, mine):
                connection.zadd(registry.key, {entry: 1}, xx=True)  # expired: cleanup takes it
                handed += 1
        if handed:
            registry.cleanup()
    if handed:
        logger.warning("requeued %d job(s) left running by a worker that is gone", handed)
    return handed


def uses_rq() -> bool:
    from django.conf import settings

    return bool(settings.TASKS.get("default", {}).get("BACKEND") == BACKEND_PATH)


def run_worker(*, worker_id: str, queue_names: list[str], burst: bool = False) -> None:
    """``yiwang worker`` with the Redis backend (the options of the database worker that apply)."""
    every = float(os.environ.get("YIWANG_TASK_ORPHAN_CHECK_SECONDS", "15"))
    worker = django_rq.get_worker(
        *queue_names,
        job_class=TaskJob,
        worker_class=SimpleWorker,  # type: ignore[arg-type]  # a BaseWorker, as rq's Worker is
        name=worker_id,
        maintenance_interval=max(1, int(every)),
    )
    connection = worker.connection
    alive = ALIVE_KEY.format(worker_id)
    connection.set(alive, "1", ex=max(3, int(every * 3)))
    requeue_orphaned_jobs(worker.queues, worker_id)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                connection.set(alive, "1", ex=max(3, int(every * 3)))
                requeue_orphaned_jobs(worker.queues, worker_id, mine=False)
            except Exception as exc:
                logger.warning("orphan check: %s", str(exc).strip()[:200])

    threading.Thread(target=beat, name="orphan-check", daemon=True).start()
    try:
        worker.work(burst=burst, logging_level="INFO")
    finally:
        stop.set()
        connection.delete(alive)
