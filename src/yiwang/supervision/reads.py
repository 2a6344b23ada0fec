"""Reads of supervision: what each user may see (department staff their department, supervisors
the departments in their data scope), filtered lists with the rows they need in one query."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yiwang.accounts.models import StaffRole
from yiwang.accounts.roles import in_scope_ids
from yiwang.supervision.actions import is_staff, is_supervisor
from yiwang.supervision.models import Card, SupervisionRule, SupervisionWarning, WarningStatus


def visibility(user: Any, field: str = "department") -> Q | None:
    """The condition on ``field`` (an organisation) for what the user may see; None: nothing."""
    if not is_staff(user):
        return None
    condition = Q(**{f"{field}_id": user.staff_profile.organisation_id})
    if is_supervisor(user):
        condition |= Q(**{f"{field}_id__in": in_scope_ids(user, [StaffRole.SUPERVISOR])})
    return condition


def visible_warnings(user: Any) -> QuerySet[SupervisionWarning]:
    condition = visibility(user)
    if condition is None:
        return SupervisionWarning.objects.none()
    return SupervisionWarning.objects.filter(condition).select_related("case", "item", "department", "rule")


def filtered_warnings(
    warnings: QuerySet[SupervisionWarning],
    *,
    level: str = "",
    kind: str = "",
    status: str = "",
    department: Any = None,
) -> QuerySet[SupervisionWarning]:
    if level:
        warnings = warnings.filter(level=level)
    if kind:
        warnings = warnings.filter(kind=kind)
    if status == "active":
        warnings = warnings.exclude(status=WarningStatus.CLOSED)
    elif status:
        warnings = warnings.filter(status=status)
    if department:
        warnings = warnings.filter(department__public_id=department)
    return warnings.order_by("-raised_at", "-pk")


def visible_cards(user: Any) -> QuerySet[Card]:
    condition = visibility(user)
    if condition is None:
        return Card.objects.none()
    return Card.objects.filter(condition).select_related("department").order_by("-period_start", "-pk")


def rules() -> QuerySet[SupervisionRule]:
    return SupervisionRule.objects.select_related("scope_item", "scope_department", "scope_region").order_by(
        "kind", "code"
    )
