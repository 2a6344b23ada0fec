"""Who a warning is addressed to: the handling department's handlers and approvers, the claimant
of the case's open work item, and the supervisors whose data scope covers the department."""

from __future__ import annotations

from yiwang.accounts.models import DataScope, StaffRole, StaffRoleAssignment, User
from yiwang.accounts.roles import region_prefix
from yiwang.cases.models import Case
from yiwang.core.models import Organisation
from yiwang.workflow.models import WorkItem, WorkItemStatus

RESPONSIBLE_ROLES = (StaffRole.HANDLER, StaffRole.APPROVER)


def supervisors_of(department: Organisation) -> list[User]:
    """Supervisors of the department itself, and region-scoped ones whose region contains it."""
    code = department.region.full_code
    rows = (
        StaffRoleAssignment.objects.filter(role=StaffRole.SUPERVISOR, staff__user__is_active=True)
        .select_related("staff__user", "staff__organisation__region")
        .order_by("pk")
    )
    found: list[User] = []
    for row in rows:
        org = row.staff.organisation
        if org.pk == department.pk or (
            row.scope == DataScope.REGION and code.startswith(region_prefix(org.region))
        ):
            found.append(row.staff.user)
    return found


def responsible_staff(department: Organisation, case: Case | None = None) -> list[User]:
    users = [
        row.staff.user
        for row in StaffRoleAssignment.objects.filter(
            role__in=RESPONSIBLE_ROLES, staff__organisation=department, staff__user__is_active=True
        )
        .select_related("staff__user")
        .order_by("pk")
    ]
    if case is not None:
        claimant = (
            WorkItem.objects.filter(
                instance__subject_type="cases.Case",
                instance__subject_id=str(case.public_id),
                status=WorkItemStatus.CLAIMED,
                assignee__isnull=False,
            )
            .select_related("assignee")
            .first()
        )
        if claimant is not None and claimant.assignee is not None:
            users.append(claimant.assignee)
    return users


def recipients(department: Organisation, case: Case | None = None) -> list[User]:
    """Each user once, responsible staff first."""
    seen: set[int] = set()
    out: list[User] = []
    for user in [*responsible_staff(department, case), *supervisors_of(department)]:
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out
