"""Tasks of metrics (django-tasks; the scheduler runs the same work as commands)."""

from __future__ import annotations

from django_tasks import task

from yiwang.metrics import aggregates


@task()
def refresh_case_aggregates() -> int:
    """Recompute the aggregates of the cases marked dirty since the last run (every minute)."""
    return aggregates.refresh()
