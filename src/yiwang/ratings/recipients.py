"""Who is told: the responsible department's staff and the supervisors over it."""

from __future__ import annotations

from yiwang.accounts.models import StaffRoleAssignment, User
from yiwang.core.models import Organisation
from yiwang.supervision.recipients import supervisors_of as region_supervisors

DEPARTMENT_ROLES = ("window_clerk", "handler", "approver", "service_manager")


def supervisors_of(department: Organisation) -> list[User]:
    """Supervisors of the department itself and region-scoped ones whose region contains it."""
    return region_supervisors(department)


def department_staff(department: Organisation) -> list[User]:
    seen: set[int] = set()
    out: list[User] = []
    rows = (
        StaffRoleAssignment.objects.filter(
            role__in=DEPARTMENT_ROLES, staff__organisation=department, staff__user__is_active=True
        )
        .select_related("staff__user")
        .order_by("pk")
    )
    for row in rows:
        if row.staff.user.pk not in seen:
            seen.add(row.staff.user.pk)
            out.append(row.staff.user)
    return out
