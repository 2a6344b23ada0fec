"""The task worker that survives crashes (``yiwang worker``): no queued task is lost or run twice in effect.

django-tasks' database worker claims a task (status RUNNING, its id appended to ``worker_ids``) and
runs it.  Two faults left work undone for good:

* **the worker is killed** (``kill -9``, OOM, a node reboot) while a task runs: the row stays RUNNING
  forever and nobody runs it again;
* **the database goes away** (a PostgreSQL restart or fail-over) while a task runs: the task fails on
  its broken connection and is recorded FAILED (or the worker dies while recording it), although
  nothing was wrong with the task.

This worker, at start, puts back in the queue (READY) every task still RUNNING under its own id
(systemd starts each instance with a stable ``--worker-id %H-%i``, so those are the ones its previous
life was running) or under the default id of a process on this host that no longer exists; and when
a task or the worker's own loop meets a lost database connection (``OperationalError``,
``InterfaceError``) it waits for the database, puts the task back and goes on.  A task is retried
this way at most :data:`MAX_ATTEMPTS` times, then recorded as failed.

Requeuing runs a task again from the start, so every task must be idempotent in effect: the case
notifications check for the message they would post inside the transaction that posts it
(:mod:`yiwang.cases.notifications`), licence issuing and archiving look for what they would create
under the case's row lock.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time

from django.db import close_old_connections, connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("yiwang.tasks")

# Claims of one task (each run appends the worker's id) after which a lost connection fails it.
MAX_ATTEMPTS = 5
DATABASE_ERRORS = (OperationalError, InterfaceError)


def default_worker_id() -> str:
    """``<host>-pid<pid>``: unique on the host, and tells a later worker whether its owner is alive."""
    return f"{socket.gethostname()[:40]}-pid{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_orphaned(worker_id: str, me: str) -> bool:
    """Whether a task last claimed by ``worker_id`` can no longer be running: it is this worker's own
    id (a previous life of it), or the default id of a dead process on this host."""
    if worker_id == me:
        return True
    match = re.fullmatch(rf"{re.escape(socket.gethostname()[:40])}-pid(\d+)", worker_id)
    if match is None:
        return False
    pid = int(match.group(1))
    return pid != os.getpid() and not _alive(pid)


def requeue_orphans(worker_id: str) -> int:
    """Put the tasks an earlier crash left RUNNING back in the queue; returns how many."""
    requeued = 0
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("id", "worker_ids"):
        claimed_by = result.worker_ids[-1] if result.worker_ids else ""
        if not is_orphaned(str(claimed_by), worker_id):
            continue
        requeued += DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY, started_at=None
        )
    if requeued:
        logger.warning("requeued %d task(s) left running by a worker that is gone", requeued)
    return requeued


class DatabaseLost(Exception):
    """A task met a lost database connection: requeue it once the database is back."""


def _reset_connections() -> None:
    for connection in connections.all():
        try:
            connection.close()
        except DATABASE_ERRORS:  # a broken connection may fail to close; it is dropped anyway
            connection.connection = None


class ResilientWorker(Worker):
    """django-tasks' worker, restarted in place when the database goes away (see the module)."""

    retry_delay = 0.5

    def run_task(self, db_task_result: DBTaskResult) -> None:
        record_failure = db_task_result.set_failed

        def set_failed(exc: BaseException) -> None:
            if isinstance(exc, DATABASE_ERRORS) and len(db_task_result.worker_ids) < MAX_ATTEMPTS:
                raise DatabaseLost(str(exc)) from exc
            record_failure(exc)

        db_task_result.set_failed = set_failed  # type: ignore[method-assign]
        super().run_task(db_task_result)

    def run(self) -> None:
        self._wait_for_database()
        while True:
            try:
                super().run()
                return
            except (DatabaseLost, *DATABASE_ERRORS) as exc:
                logger.warning("database connection lost (%s); waiting for it", str(exc).strip()[:200])
                self._wait_for_database()
                if not self.running:
                    return
                self.startup_delay = False

    def _wait_for_database(self) -> None:
        """Until the database answers: then requeue what this (or a dead) worker left running."""
        while True:
            _reset_connections()
            try:
                close_old_connections()
                requeue_orphans(self.worker_id)
                return
            except DATABASE_ERRORS:
                time.sleep(self.retry_delay)
