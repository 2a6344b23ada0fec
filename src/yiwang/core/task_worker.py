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

**Across nodes** (PostgreSQL): workers claim tasks with ``SELECT … FOR UPDATE SKIP LOCKED``
(django-tasks-db), so two workers never claim one task.  Each worker holds a lock named by its
worker id for as long as it lives (:mod:`yiwang.core.task_backends.locks`: a session advisory lock
the server drops the moment the process dies, on whatever node), and a thread of every worker looks
every ``YIWANG_TASK_ORPHAN_CHECK_SECONDS`` (15 s) for tasks RUNNING under an id whose lock nobody
holds — a worker on another node that was killed and not restarted under the same id, e.g. a
Kubernetes pod — and puts them back in the queue once they have been running for
``YIWANG_TASK_ORPHAN_GRACE_SECONDS`` (5 s; a worker takes its lock before it claims anything).

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
import threading
import time
from datetime import timedelta

from django.db import close_old_connections, connections
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from yiwang.core.task_backends.locks import TASK_WORKER, ProcessLock, holder_alive

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


def orphan_grace() -> float:
    return float(os.environ.get("YIWANG_TASK_ORPHAN_GRACE_SECONDS", "5"))


def is_orphaned(worker_id: str, me: str, *, started: object = None, mine: bool = True) -> bool:
    """Whether a task last claimed by ``worker_id`` can no longer be running: it is this worker's own
    id (a previous life of it), the default id of a dead process on this host, or (PostgreSQL) the
    id of a worker whose lock nobody holds, for a task started more than the grace period ago.
    ``mine=False`` (the periodic check of a running worker): its own tasks are not orphans."""
    if worker_id == me:
        return mine
    match = re.fullmatch(rf"{re.escape(socket.gethostname()[:40])}-pid(\d+)", worker_id)
    if match is not None:
        pid = int(match.group(1))
        if pid != os.getpid() and not _alive(pid):
            return True
    if started is None or started > timezone.now() - timedelta(seconds=orphan_grace()):  # type: ignore[operator]
        return False
    return holder_alive(TASK_WORKER, worker_id) is False


def requeue_orphans(worker_id: str, *, mine: bool = True) -> int:
    """Put the tasks a crashed worker left RUNNING back in the queue; returns how many.  At start
    (``mine``) the tasks under this worker's own id are a previous life's, later they are its own."""
    requeued = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "id", "worker_ids", "started_at"
    )
    for result in running:
        claimed_by = result.worker_ids[-1] if result.worker_ids else ""
        if not is_orphaned(str(claimed_by), worker_id, started=result.started_at, mine=mine):
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
    lock: ProcessLock | None = None
    checker: threading.Thread | None = None
    checker_stop: threading.Event

    def _hold_lock(self) -> None:
        """Take the lock of this worker's id (waiting while an older life of it still holds it)."""
        if self.lock is None:
            self.lock = ProcessLock(TASK_WORKER, self.worker_id)
        warned = False
        while self.running and not self.lock.acquire():
            if not warned:
                logger.warning("worker id %s is held by a live process; waiting for it", self.worker_id)
                warned = True
            time.sleep(self.retry_delay)

    def _check_orphans(self) -> None:
        """Thread: every few seconds, requeue what dead workers (on any node) left running."""
        every = float(os.environ.get("YIWANG_TASK_ORPHAN_CHECK_SECONDS", "15"))
        while not self.checker_stop.wait(every) and self.running:
            try:
                if self.lock is not None and not self.lock.held():
                    self.lock.acquire()
                requeue_orphans(self.worker_id, mine=False)
            except Exception as exc:  # the loop of the worker meets and reports database trouble
                logger.warning("orphan check: %s", str(exc).strip()[:200])
            finally:
                connections.close_all()

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
        self.checker_stop = threading.Event()
        self.checker = threading.Thread(target=self._check_orphans, name="orphan-check", daemon=True)
        self.checker.start()
        try:
            self._run()
        finally:
            self.checker_stop.set()
            if self.lock is not None:
                self.lock.release()

    def _run(self) -> None:
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
                self._hold_lock()
                requeue_orphans(self.worker_id)
                return
            except DATABASE_ERRORS:
                time.sleep(self.retry_delay)
