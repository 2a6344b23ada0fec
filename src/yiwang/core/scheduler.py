"""The scheduled jobs (定时任务) of one node: ``yiwang scheduler``.

Each job is a management command run in this process at its interval or daily time (local time,
``TIME_ZONE``), one after another.  Every job is idempotent, so a job that was missed while the
scheduler was down simply runs at its next time; the ones marked ``at_start`` also run once when
the scheduler starts (a demo started at 10:00 closes the corrections that expired overnight).

``yiwang demo`` (``make run``) runs the scheduler under its supervisor; production runs it as a
systemd service (``deploy/systemd/yiwang-scheduler.service``) or a Deployment (``deploy/k8s/``).

**Once across nodes.** Several schedulers may run on one database (two nodes for availability, or
an operator who started a second by mistake): only the one holding the scheduler lock runs jobs
(:class:`yiwang.core.task_backends.locks.ProcessLock`: a PostgreSQL session advisory lock, released
by the server the moment its holder dies; a file lock on SQLite).  The others follow: they keep
their plan moving as if they had run the due jobs and try the lock every
``YIWANG_SCHEDULER_LOCK_POLL_SECONDS`` (5 s).  When the leader dies the first follower to take the
lock runs the jobs from their next due time on, so no due time runs twice; a job whose time fell in
the few seconds of the hand-over runs at its next time (every job is idempotent and catches up).

Run a single job now with ``yiwang scheduler --once NAME`` or the command itself (no lock: an
operator's explicit run).
"""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time as monotonic_time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from types import FrameType

from yiwang.core.task_backends.locks import SCHEDULER, ProcessLock

logger = logging.getLogger("yiwang.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    command: tuple[str, ...]
    every: timedelta | None = None  # run at this interval …
    at: time | None = None  # … or daily at this local time
    weekday: int | None = None  # with ``at``: only on this weekday (0 = Monday)
    at_start: bool = False  # also run once when the scheduler starts
    call: str | None = None  # a dotted path to a function run in place of the command (tests)

    def next_after(self, moment: datetime) -> datetime:
        """The first time this job is due strictly after ``moment`` (an aware local datetime)."""
        if self.every is not None:
            return moment + self.every
        assert self.at is not None, f"job {self.name} needs `every` or `at`"
        candidate = moment.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        while candidate <= moment or (self.weekday is not None and candidate.weekday() != self.weekday):
            candidate += timedelta(days=1)
        return candidate


# docs/operations.md "Scheduled jobs" lists the same table.
JOBS: tuple[Job, ...] = (
    Job("catalog_apply_schedule", ("catalog_apply_schedule",), every=timedelta(minutes=1), at_start=True),
    Job("clear_held_uploads", ("clear_held_uploads",), every=timedelta(hours=1), at_start=True),
    Job("audit_checkpoint", ("audit_checkpoint",), every=timedelta(minutes=5), at_start=True),
    Job("expire_corrections", ("expire_corrections",), at=time(0, 30), at_start=True),
    Job("expire_sharing_grants", ("expire_sharing_grants",), at=time(0, 10), at_start=True),
    Job("sharing_fan_out", ("sharing_fan_out",), every=timedelta(minutes=1), at_start=True),
    Job("deliver_webhooks", ("deliver_webhooks",), every=timedelta(minutes=1), at_start=True),
    Job("exchange_sync", ("exchange_sync",), every=timedelta(minutes=1), at_start=True),
    Job("refresh_case_aggregates", ("refresh_case_aggregates",), every=timedelta(minutes=1), at_start=True),
    Job(
        "close_expired_payment_orders",
        ("close_expired_payment_orders",),
        every=timedelta(minutes=10),
        at_start=True,
    ),
    Job("reconcile_payments", ("reconcile_payments",), at=time(2, 30)),
    Job("query_pending_payments", ("query_pending_payments",), every=timedelta(minutes=1), at_start=True),
    Job("poll_courier_tracking", ("poll_courier_tracking",), every=timedelta(minutes=15), at_start=True),
    Job("supervision_scan", ("supervision_scan",), every=timedelta(minutes=15), at_start=True),
    Job("supervision_suggest_cards", ("supervision_suggest_cards",), at=time(1, 15), at_start=True),
    Job("knowledge_sync", ("knowledge_sync",), every=timedelta(hours=1), at_start=True),
    Job("tickets_scan", ("tickets_scan",), every=timedelta(minutes=30), at_start=True),
    Job("ratings_aggregate", ("ratings_aggregate",), every=timedelta(minutes=5), at_start=True),
    Job("ratings_scan", ("ratings_scan",), every=timedelta(hours=1), at_start=True),
    Job("ratings_default", ("ratings_default",), at=time(2, 10), at_start=True),
    Job("hall_slots", ("hall_slots",), at=time(0, 20), at_start=True),
    Job("hall_appointments_scan", ("hall_appointments_scan",), every=timedelta(minutes=5), at_start=True),
    Job("proactive_scan", ("proactive_scan",), at=time(1, 0), at_start=True),
    Job("clear_detail_snapshots", ("clear_detail_snapshots",), at=time(0, 40), at_start=True),
    Job("clearsessions", ("clearsessions",), at=time(0, 50)),
    Job("verify_archives", ("verify_archives",), at=time(2, 0)),
    Job("recount_queues", ("recount_queues", "--check"), at=time(3, 0), weekday=6),
    # 省市协同 and 跨域通办 (docs/federation.md, docs/crossregion.md); both do nothing on a standalone instance.
    # The sync interval is YIWANG_FEDERATION_SYNC_SECONDS (read here from the environment like the
    # settings do, since the table is built at import).
    Job(
        "federation_sync",
        ("federation_sync",),
        every=timedelta(seconds=int(os.environ.get("YIWANG_FEDERATION_SYNC_SECONDS", "20"))),
        at_start=True,
    ),
    Job("crossregion_refresh", ("crossregion_refresh",), every=timedelta(minutes=10), at_start=True),
)


def run_job(job: Job) -> bool:
    """Run one job in this process; a failure is logged, never raised (the next jobs still run)."""
    from django.core.management import call_command
    from django.db import close_old_connections

    close_old_connections()
    started = monotonic_time.monotonic()
    ok = True
    try:
        if job.call:
            from django.utils.module_loading import import_string

            import_string(job.call)(*job.command)
        else:
            call_command(*job.command)
    except SystemExit as exc:  # e.g. recount_queues --check / verify_archives: 1 = differences found
        ok = not exc.code
    except Exception:
        logger.exception("scheduled job %s failed", job.name)
        ok = False
    finally:
        close_old_connections()
    elapsed = monotonic_time.monotonic() - started
    if ok:
        logger.info("scheduled job %s done in %.1f s", job.name, elapsed)
    else:
        logger.error("scheduled job %s reported a problem (%.1f s)", job.name, elapsed)
    return ok


class Scheduler:
    def __init__(
        self,
        jobs: Iterable[Job] = JOBS,
        *,
        now: Callable[[], datetime] | None = None,
        runner: Callable[[Job], bool] = run_job,
        lock: ProcessLock | None = None,
        poll_seconds: float = 5.0,
    ) -> None:
        from django.utils import timezone

        self.jobs = list(jobs)
        self.now = now or timezone.localtime
        self.runner = runner
        self.lock = lock
        self.poll_seconds = poll_seconds
        self.leading = lock is None
        self.stopping = threading.Event()
        start = self.now()
        self.next_run = {
            job.name: (start if job.at_start else self.next_after(job, start)) for job in self.jobs
        }

    def next_after(self, job: Job, moment: datetime) -> datetime:
        """The job's next time; with a lock (several schedulers) interval jobs keep to one grid — whole
        multiples of their interval since the epoch — so every scheduler plans the same due times
        and a follower that takes over runs the next one, not one of its own phase."""
        if self.lock is None or job.every is None:
            return job.next_after(moment)
        step = job.every.total_seconds()
        return datetime.fromtimestamp((math.floor(moment.timestamp() / step) + 1) * step, tz=moment.tzinfo)

    def due(self) -> list[Job]:
        moment = self.now()
        return [job for job in self.jobs if self.next_run[job.name] <= moment]

    def tick(self) -> list[Job]:
        """Run every due job once and plan its next run; returns the jobs run."""
        ran = []
        for job in self.due():
            if self.stopping.is_set():
                break
            self.runner(job)
            ran.append(job)
            self.next_run[job.name] = self.next_after(job, self.now())
        return ran

    def follow(self) -> list[Job]:
        """Not the leader: plan the due jobs' next times as if they had run (the leader runs them)."""
        due = self.due()
        for job in due:
            self.next_run[job.name] = self.next_after(job, self.now())
        return due

    def lead(self) -> bool:
        """Whether this scheduler holds the lock now (taking it when free); logs hand-overs."""
        if self.lock is None:
            return True
        leading = self.lock.held() or self.lock.acquire()
        if leading and not self.leading:
            logger.warning("scheduler lock taken: this node runs the scheduled jobs")
        elif self.leading and not leading:
            logger.warning("scheduler lock lost: another node runs the scheduled jobs")
        self.leading = leading
        return leading

    def step(self) -> None:
        if self.lead():
            self.tick()
        else:
            self.follow()

    def seconds_to_next(self) -> float:
        moment = self.now()
        return max(0.0, min((at - moment).total_seconds() for at in self.next_run.values()))

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.stopping.set()

    def run_forever(self) -> None:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        for job in self.jobs:
            logger.info("scheduled job %s: next run %s", job.name, self.next_run[job.name].isoformat())
        while not self.stopping.is_set():
            self.step()
            # Wake at least every 30 s: a changed clock (or a suspended laptop) is noticed soon; and
            # every poll while another node leads, to take over soon after it dies.
            limit = 30.0 if self.lock is None else self.poll_seconds
            self.stopping.wait(min(limit, self.seconds_to_next()))
        if self.lock is not None:
            self.lock.release()
        logger.info("scheduler stopped")


def probe_jobs(spec: str) -> tuple[Job, ...]:
    """``YIWANG_SCHEDULER_PROBE=NAME:SECONDS[,…]`` (tests only): jobs that record their runs
    (:func:`yiwang.core.task_backends.probe.record_scheduled_run`) in place of the real ones."""
    jobs = []
    for part in spec.split(","):
        name, _, seconds = part.strip().partition(":")
        jobs.append(
            Job(
                name,
                (name,),
                every=timedelta(seconds=float(seconds or 1)),
                at_start=True,
                call="yiwang.core.task_backends.probe.record_scheduled_run",
            )
        )
    return tuple(jobs)


def main(args: list[str]) -> None:
    if args[:1] == ["--once"] and len(args) == 2:
        jobs = {job.name: job for job in JOBS}
        if args[1] not in jobs:
            raise SystemExit(f"unknown job {args[1]!r}; jobs: {', '.join(jobs)}")
        raise SystemExit(0 if run_job(jobs[args[1]]) else 1)
    if args:
        raise SystemExit("usage: yiwang scheduler [--once JOB]")
    probe = os.environ.get("YIWANG_SCHEDULER_PROBE", "").strip()
    Scheduler(
        probe_jobs(probe) if probe else JOBS,
        lock=ProcessLock(SCHEDULER, "scheduler"),
        poll_seconds=float(os.environ.get("YIWANG_SCHEDULER_LOCK_POLL_SECONDS", "5")),
    ).run_forever()
