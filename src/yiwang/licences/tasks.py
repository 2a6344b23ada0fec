"""Background work for e-licences, run by the django-tasks worker (inline in tests)."""

from __future__ import annotations

from django_tasks import task

from yiwang.cases.models import Case
from yiwang.licences import services


@task()
def issue_case_licence(case_id: int) -> None:
    """办结出证: issue the licence a completed case yields (idempotent)."""
    case = Case.objects.get(pk=case_id)
    services.issue_for_case(case)
