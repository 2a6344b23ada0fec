"""Background work for cases, run by the django-tasks worker (inline in tests).

The jobs here run whole use cases (scheduled or triggered); the notification jobs the services
enqueue live in :mod:`yiwang.cases.notifications` and are re-exported here under their old names.
"""

from __future__ import annotations

from django_tasks import task

from yiwang.cases.notifications import BUNDLE_MESSAGE, MESSAGES, notify_applicant, notify_bundle
from yiwang.cases.services import deadlines
from yiwang.cases.services.termination import expire_corrections

__all__ = [
    "BUNDLE_MESSAGE",
    "MESSAGES",
    "expire_corrections_task",
    "notify_applicant",
    "notify_bundle",
    "recompute_provisional_deadlines",
]


@task()
def expire_corrections_task() -> list[str]:
    """补正超期: close cases whose correction deadline passed (idempotent; enqueue from cron)."""
    return expire_corrections()


@task()
def recompute_provisional_deadlines(years: list[int]) -> int:
    """时限重算: run when an official holiday schedule is entered or imported (cases/provisional.py)."""
    return deadlines.recompute_provisional_deadlines(years)
