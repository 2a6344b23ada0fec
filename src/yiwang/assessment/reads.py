"""Queries of assessment shared by the API and the pages: which schemes and runs a user sees, and
which rows of a run."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yiwang.accounts.roles import in_scope_ids
from yiwang.assessment import actions
from yiwang.assessment.models import (
    AssessmentResult,
    AssessmentRun,
    AssessmentScheme,
    RunStatus,
    UnitLevel,
)


def visible_schemes(user: Any) -> QuerySet[AssessmentScheme]:
    if not actions.is_supervisor(user):
        return AssessmentScheme.objects.none()
    return AssessmentScheme.objects.filter(
        owner__in=in_scope_ids(user, actions.SUPERVISOR_ROLES)
    ).select_related("owner")


def visible_runs(user: Any) -> QuerySet[AssessmentRun]:
    """Supervisors: every run of their schemes; other staff: the published department runs their
    department is ranked in."""
    base = AssessmentRun.objects.select_related("scheme__owner")
    if not actions.is_staff(user):
        return base.none()
    condition = Q(
        status=RunStatus.PUBLISHED,
        scheme__level=UnitLevel.DEPARTMENT,
        results__unit_key=actions.own_unit(user),
    )
    if actions.is_supervisor(user):
        condition |= Q(scheme__owner__in=in_scope_ids(user, actions.SUPERVISOR_ROLES))
    return base.filter(condition).distinct()


def visible_results(user: Any, run: AssessmentRun) -> QuerySet[AssessmentResult]:
    results = run.results.order_by("rank", "unit_label")
    if "view_all" in actions.run_actions(user, run):
        return results
    return results.filter(unit_key=actions.own_unit(user))


def report_bytes(run: AssessmentRun) -> bytes:
    if not run.report:
        return b""
    with run.report.open("rb") as handle:
        return bytes(handle.read())
