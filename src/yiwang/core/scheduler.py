"""The scheduled jobs (定时任务) of one node: ``yiwang scheduler``.

Each job is a management command run in this process at its interval or daily time (local time,
``TIME_ZONE``), one after another.  Every job is idempotent, so a job that was missed while the
scheduler was down simply runs at its next time; the ones marked ``at_start`` also run once when
the scheduler starts (a demo started at 10:00 closes the corrections that expired overnight).

``yiwang demo`` (``make run``) runs the scheduler under its supervisor; production runs it as one
systemd service on one node (``deploy/systemd/yiwang-scheduler.service``, docs/operations.md).
Run a single job now with ``yiwang scheduler --once NAME`` or the command itself.
"""

from __future__ import annotations

import logging
import signal
import threading
import time as monotonic_time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from types import FrameType

logger = logging.getLogger("yiwang.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    command: tuple[str, ...]
    every: timedelta | None = None  # run at this interval …
    at: time | None = None  # … or daily at this local time
    weekday: int | None = None  # with ``at``: only on this weekday (0 = Monday)
    at_start: bool = False  # also run once when the scheduler starts

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
)


def run_job(job: Job) -> bool:
    """Run one job in this process; a failure is logged, never raised (the next jobs still run)."""
    from django.core.management import call_command
    from django.db import close_old_connections

    close_old_connections()
    started = monotonic_time.monotonic()
    ok = True
    try:
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
    ) -> None:
        from django.utils import timezone

        self.jobs = list(jobs)
        self.now = now or timezone.localtime
        self.runner = runner
        self.stopping = threading.Event()
        start = self.now()
        self.next_run = {job.name: (start if job.at_start else job.next_after(start)) for job in self.jobs}

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
            self.next_run[job.name] = job.next_after(self.now())
        return ran

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
            self.tick()
            # Wake at least every 30 s: a changed clock (or a suspended laptop) is noticed soon.
            self.stopping.wait(min(30.0, self.seconds_to_next()))
        logger.info("scheduler stopped")


def main(args: list[str]) -> None:
    if args[:1] == ["--once"] and len(args) == 2:
        jobs = {job.name: job for job in JOBS}
        if args[1] not in jobs:
            raise SystemExit(f"unknown job {args[1]!r}; jobs: {', '.join(jobs)}")
        raise SystemExit(0 if run_job(jobs[args[1]]) else 1)
    if args:
        raise SystemExit("usage: yiwang scheduler [--once JOB]")
    Scheduler().run_forever()
