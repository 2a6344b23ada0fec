"""Background work of the catalogue, run by the django-tasks worker (inline in tests)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from yiwang.catalog.services import apply_schedule


@task()
def apply_catalog_schedule() -> dict[str, Any]:
    """定时发布/撤销 Publish approved items whose publish_at has come and withdraw items whose
    withdraw_at has come.  Idempotent; enqueue it from cron (``catalog_apply_schedule --enqueue``)."""
    return apply_schedule()
