"""Staff roles and data scope (角色与数据范围): what a staff account holds and which organisations it reaches.

Read by every app that checks a clerk's rights; the changes (grant, revoke) are in
:mod:`yiwang.accounts.services.staff`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    THREE_ADMIN_ROLES,
    AccountKind,
    DataScope,
    StaffRole,
    StaffRoleAssignment,
    User,
)
from yiwang.accounts.refusals import record_refusal
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation, Region

ASSIGNMENT_CACHE = "_yiwang_role_assignments"


def assignments_of(user: Any) -> list[StaffRoleAssignment]:
    """The user's role assignments, read once per user object (i.e. once per request)."""
    if not getattr(user, "is_authenticated", False) or user.kind != AccountKind.STAFF:
        return []
    cached = getattr(user, ASSIGNMENT_CACHE, None)
    if cached is None:
        profile = getattr(user, "staff_profile", None)
        cached = [] if profile is None else list(profile.roles.all())
        setattr(user, ASSIGNMENT_CACHE, cached)
    return cached  # type: ignore[no-any-return]


def forget_roles(user: Any) -> None:
    if hasattr(user, ASSIGNMENT_CACHE):
        delattr(user, ASSIGNMENT_CACHE)


def roles_of(user: Any) -> set[str]:
    return {assignment.role for assignment in assignments_of(user)}


def require_role(actor: User, role: str, action: str) -> None:
    """Refuse (403 + audit) unless the actor holds ``role``."""
    if role in roles_of(actor):
        return
    record_refusal(
        "staff.role_refused",
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        detail={"action": action, "required_role": role},
    )
    raise DomainError(
        AccountErrorCode.ADMIN_ROLE_REQUIRED,
        f"此操作需要“{StaffRole(role).label}”角色",
        {"required_role": role},
        status=403,
    )


# --- data scope (数据范围) ------------------------------------------------------------------------
def region_prefix(region: Region) -> str:
    """The prefix that every code inside ``region`` starts with (full codes pad with zeros)."""
    return region.full_code[: {2: 2, 3: 4, 4: 6, 5: 9}.get(region.level, 12)]


def organisations_in_scope(user: User, roles: Iterable[str] | None = None) -> QuerySet[Organisation]:
    """The organisations whose data the user's roles (or the given ones) may act on."""
    assignments = assignments_of(user)
    if roles is not None:
        wanted = set(roles)
        assignments = [a for a in assignments if a.role in wanted]
    if not assignments:
        return Organisation.objects.none()
    profile = user.staff_profile
    condition = Q(pk=profile.organisation_id)
    if any(a.scope == DataScope.REGION for a in assignments):
        condition |= Q(region__full_code__startswith=region_prefix(profile.organisation.region))
    return Organisation.objects.filter(condition)


def in_scope_ids(user: User, roles: Iterable[str] | None = None) -> Any:
    return organisations_in_scope(user, roles).values("pk")


def in_scope(user: User, organisation_id: int | None, roles: Iterable[str] | None = None) -> bool:
    if organisation_id is None:
        return False
    assignments = assignments_of(user)
    if roles is not None:
        wanted = set(roles)
        assignments = [a for a in assignments if a.role in wanted]
    if not assignments:
        return False
    if organisation_id == user.staff_profile.organisation_id:
        return True
    if not any(a.scope == DataScope.REGION for a in assignments):
        return False
    return organisations_in_scope(user, roles).filter(pk=organisation_id).exists()


def check_scope(user: User, organisation_id: int | None, roles: Iterable[str], *, obj: Any = None) -> None:
    """Refuse with ``out_of_scope`` (403) and an audit record outside the user's data scope."""
    if in_scope(user, organisation_id, roles):
        return
    record_refusal(
        "staff.out_of_scope",
        actor=user,
        object_type=obj._meta.label if obj is not None else "core.Organisation",
        object_id=str(getattr(obj, "public_id", "") or organisation_id or ""),
        detail={"roles": sorted(roles)},
    )
    raise DomainError(AccountErrorCode.OUT_OF_SCOPE, "该数据不在您的数据范围内", status=403)


def admin_roles_present(roles: Sequence[str]) -> set[str]:
    return set(roles) & set(THREE_ADMIN_ROLES)
