"""What a user may do with a scheme or a run, decided once for the API and the pages.

Supervisors (监察人员) manage the schemes and runs of the organisations in their data scope; other
staff see the published department-level runs their own department was assessed in (their own row)."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind
from yiwang.accounts.roles import in_scope, roles_of
from yiwang.assessment.models import AssessmentRun, AssessmentScheme, RunStatus, SchemeStatus, UnitLevel

SUPERVISOR_ROLES = ("supervisor",)


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and getattr(user, "kind", "") == AccountKind.STAFF


def is_supervisor(user: Any) -> bool:
    return is_staff(user) and "supervisor" in roles_of(user)


def manages(user: Any, scheme: AssessmentScheme) -> bool:
    return is_supervisor(user) and in_scope(user, scheme.owner_id, SUPERVISOR_ROLES)


def scheme_actions(user: Any, scheme: AssessmentScheme) -> set[str]:
    """``view``; ``edit`` and ``publish`` a draft; ``run``, ``new_version`` and ``retire`` a published one."""
    if not manages(user, scheme):
        return set()
    actions = {"view"}
    if scheme.status == SchemeStatus.DRAFT:
        actions |= {"edit", "publish"}
    elif scheme.status == SchemeStatus.PUBLISHED:
        actions |= {"run", "new_version", "retire"}
    return actions


def own_unit(user: Any) -> str:
    """The unit key of the user's department (its organisation's public id)."""
    profile = getattr(user, "staff_profile", None)
    return "" if profile is None else str(profile.organisation.public_id)


def run_actions(user: Any, run: AssessmentRun) -> set[str]:
    """Supervisors: ``view_all``, ``export`` and, for a draft, ``publish`` and ``rerun``; staff of an
    assessed department: ``view`` of a published run (their own row)."""
    if manages(user, run.scheme):
        actions = {"view", "view_all", "export"}
        if run.status == RunStatus.DRAFT:
            actions |= {"publish", "rerun"}
        return actions
    if (
        is_staff(user)
        and run.status == RunStatus.PUBLISHED
        and run.scheme.level == UnitLevel.DEPARTMENT
        and run.results.filter(unit_key=own_unit(user)).exists()
    ):
        return {"view"}
    return set()
