"""The scheduler (yiwang scheduler): each job at its interval or daily time, on a fixed clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from yiwang.core.scheduler import JOBS, Job, Scheduler, run_job

TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


def test_next_after_interval_daily_and_weekly():
    moment = datetime(2031, 3, 5, 10, 15, tzinfo=TZ)  # a Wednesday
    assert Job("a", ("x",), every=timedelta(minutes=1)).next_after(moment) == moment + timedelta(minutes=1)
    daily = Job("d", ("x",), at=time(0, 30))
    assert daily.next_after(moment) == datetime(2031, 3, 6, 0, 30, tzinfo=TZ)
    assert daily.next_after(datetime(2031, 3, 5, 0, 10, tzinfo=TZ)) == datetime(2031, 3, 5, 0, 30, tzinfo=TZ)
    # exactly at the time: the next day, never twice
    assert daily.next_after(datetime(2031, 3, 5, 0, 30, tzinfo=TZ)) == datetime(2031, 3, 6, 0, 30, tzinfo=TZ)
    weekly = Job("w", ("x",), at=time(3, 0), weekday=6)
    assert weekly.next_after(moment) == datetime(2031, 3, 9, 3, 0, tzinfo=TZ)
    assert weekly.next_after(datetime(2031, 3, 9, 3, 0, tzinfo=TZ)) == datetime(2031, 3, 16, 3, 0, tzinfo=TZ)


def test_scheduler_runs_due_jobs_once_at_their_times():
    clock = Clock(datetime(2031, 3, 5, 23, 59, 30, tzinfo=TZ))
    ran: list[str] = []
    jobs = [
        Job("minutely", ("x",), every=timedelta(minutes=1), at_start=True),
        Job("nightly", ("x",), at=time(0, 30)),
    ]
    scheduler = Scheduler(jobs, now=clock, runner=lambda job: ran.append(job.name) or True)
    assert [job.name for job in scheduler.tick()] == ["minutely"]  # at start
    assert scheduler.tick() == []  # nothing due yet
    assert scheduler.seconds_to_next() == 60
    clock.moment += timedelta(minutes=1)
    assert [job.name for job in scheduler.tick()] == ["minutely"]
    clock.moment = datetime(2031, 3, 6, 0, 30, 5, tzinfo=TZ)
    assert [job.name for job in scheduler.tick()] == ["minutely", "nightly"]
    assert scheduler.tick() == []
    assert scheduler.next_run["nightly"] == datetime(2031, 3, 7, 0, 30, tzinfo=TZ)
    assert ran == ["minutely", "minutely", "minutely", "nightly"]


def test_documented_jobs_are_the_scheduled_ones():
    names = {job.name for job in JOBS}
    assert {"expire_corrections", "clear_detail_snapshots", "recount_queues"} <= names
    operations = (Path(__file__).resolve().parents[4] / "docs" / "operations.md").read_text(encoding="utf-8")
    for job in JOBS:
        assert f"`yiwang {' '.join(job.command)}`" in operations, job.name


@pytest.mark.django_db
def test_run_job_runs_the_command_and_reports_a_failed_check(monkeypatch):
    monkeypatch.setattr("django.db.close_old_connections", lambda: None)  # the test's transaction
    assert run_job(Job("expire_corrections", ("expire_corrections",), at=time(0, 30))) is True

    def failing_check(*args, **kwargs):
        raise SystemExit(1)

    monkeypatch.setattr("django.core.management.call_command", failing_check)
    assert run_job(Job("recount_queues", ("recount_queues", "--check"), every=timedelta(days=7))) is False
