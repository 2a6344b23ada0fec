"""Staff user centre (工作人员用户中心): organisation tree, roles, data scope and 三员 separation.

三员 (separation of duties, MLPS level 3):

* 系统管理员 (``admin``) manages accounts — creates, disables, resets MFA — but cannot grant roles,
  least of all to himself, and cannot read the audit trail;
* 安全管理员 (``security_admin``) grants and revokes roles and data scopes and manages policies;
* 安全审计员 (``auditor``) reads the audit trail and verifies its chain, and nothing else.

No one may hold two of the three, and no one may change his own roles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    THREE_ADMIN_ROLES,
    AccountKind,
    DataScope,
    StaffProfile,
    StaffRole,
    StaffRoleAssignment,
    User,
)
from yiwang.accounts.refusals import record_refusal
from yiwang.core import audit
from yiwang.core.errors import DomainError, NotFound
from yiwang.core.models import AuditEvent, Organisation, Region

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
def _region_prefix(region: Region) -> str:
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
        condition |= Q(region__full_code__startswith=_region_prefix(profile.organisation.region))
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


# --- organisation tree --------------------------------------------------------------------------
@dataclass
class OrgNode:
    organisation: Organisation
    staff_count: int
    children: list[OrgNode] = field(default_factory=list)


@dataclass
class RegionNode:
    region: Region
    organisations: list[OrgNode] = field(default_factory=list)


def organisation_tree() -> list[RegionNode]:
    """组织机构树 Regions (only those with organisations) and their department trees."""
    organisations = list(Organisation.objects.select_related("region").order_by("region__full_code", "name"))
    counts: dict[int, int] = {}
    for org_id in StaffProfile.objects.filter(user__is_active=True).values_list("organisation_id", flat=True):
        counts[org_id] = counts.get(org_id, 0) + 1
    nodes = {org.pk: OrgNode(org, counts.get(org.pk, 0)) for org in organisations}
    regions: dict[int, RegionNode] = {}
    for org in organisations:
        node = nodes[org.pk]
        if org.parent_id and org.parent_id in nodes:
            nodes[org.parent_id].children.append(node)
            continue
        regions.setdefault(org.region_id, RegionNode(org.region)).organisations.append(node)
    return list(regions.values())


# --- accounts (系统管理员) -------------------------------------------------------------------------
def admin_create_staff(
    actor: User, *, username: str, password: str, real_name: str, organisation: Organisation, phone: str = ""
) -> User:
    """系统管理员 creates a staff account without roles; the security admin grants them."""
    from yiwang.accounts.services import create_staff_account

    require_role(actor, StaffRole.ADMIN, "create_staff")
    return create_staff_account(
        username=username,
        password=password,
        real_name=real_name,
        organisation=organisation,
        roles=[],
        phone=phone,
        actor=actor,
    )


def set_staff_active(actor: User, staff_user: User, active: bool) -> User:
    """停用/启用 a staff account (系统管理员); nobody disables himself."""
    require_role(actor, StaffRole.ADMIN, "set_active")
    if staff_user.pk == actor.pk:
        raise DomainError(AccountErrorCode.SELF_GRANT_FORBIDDEN, "不能停用自己的账户", status=403)
    with transaction.atomic():
        staff_user.is_active = active
        staff_user.save(update_fields=["is_active", "updated_at"])
        audit.record("staff.enabled" if active else "staff.disabled", actor=actor, obj=staff_user)
    return staff_user


def reset_staff_mfa(actor: User, staff_user: User) -> None:
    """重置多因素认证 (系统管理员): the staff member enrols again at the next login."""
    from yiwang.accounts.mfa import delete_devices

    require_role(actor, StaffRole.ADMIN, "reset_mfa")
    with transaction.atomic():
        delete_devices(staff_user)
        audit.record("staff.mfa_reset", actor=actor, obj=staff_user)


# --- roles (安全管理员) ---------------------------------------------------------------------------
def grant_role(
    actor: User, staff_user: User, role: str, scope: str = DataScope.DEPARTMENT
) -> StaffRoleAssignment:
    """授予角色 (安全管理员 only; never to himself; the three admin roles stay on three people)."""
    require_role(actor, StaffRole.SECURITY_ADMIN, "grant_role")
    if role not in StaffRole.values:
        raise DomainError("validation_error", "未知角色", {"role": [role]})
    if scope not in DataScope.values:
        raise DomainError("validation_error", "未知数据范围", {"scope": [scope]})
    if staff_user.pk == actor.pk:
        record_refusal(
            "staff.self_grant_refused",
            actor=actor,
            object_type="accounts.User",
            object_id=str(actor.public_id),
            detail={"role": role},
        )
        raise DomainError(AccountErrorCode.SELF_GRANT_FORBIDDEN, "不能为自己授予或变更角色", status=403)
    profile = getattr(staff_user, "staff_profile", None)
    if profile is None:
        raise NotFound("工作人员不存在")
    held = {a.role for a in profile.roles.all()}
    if role in THREE_ADMIN_ROLES and (held & THREE_ADMIN_ROLES) - {role}:
        record_refusal(
            "staff.separation_refused",
            actor=actor,
            object_type="accounts.User",
            object_id=str(staff_user.public_id),
            detail={"role": role, "held": sorted(held)},
        )
        raise DomainError(
            AccountErrorCode.ROLE_SEPARATION,
            "系统管理员、安全管理员、安全审计员三个角色不得由同一人兼任",
            {"role": [role]},
            status=409,
        )
    with transaction.atomic():
        assignment, created = StaffRoleAssignment.objects.get_or_create(
            staff=profile, role=role, defaults={"scope": scope, "granted_by": actor}
        )
        if not created and assignment.scope != scope:
            assignment.scope = scope
            assignment.granted_by = actor
            assignment.save(update_fields=["scope", "granted_by", "updated_at"])
        if role in THREE_ADMIN_ROLES and not staff_user.is_staff:
            staff_user.is_staff = True
            staff_user.save(update_fields=["is_staff", "updated_at"])
        audit.record("staff.role_granted", actor=actor, obj=staff_user, detail={"role": role, "scope": scope})
    forget_roles(staff_user)
    return assignment


def revoke_role(actor: User, staff_user: User, role: str) -> None:
    """撤销角色 (安全管理员 only; never his own)."""
    require_role(actor, StaffRole.SECURITY_ADMIN, "revoke_role")
    if staff_user.pk == actor.pk:
        record_refusal(
            "staff.self_grant_refused",
            actor=actor,
            object_type="accounts.User",
            object_id=str(actor.public_id),
            detail={"role": role, "revoke": True},
        )
        raise DomainError(AccountErrorCode.SELF_GRANT_FORBIDDEN, "不能变更自己的角色", status=403)
    with transaction.atomic():
        deleted, _ = StaffRoleAssignment.objects.filter(staff__user=staff_user, role=role).delete()
        if deleted:
            audit.record("staff.role_revoked", actor=actor, obj=staff_user, detail={"role": role})
    forget_roles(staff_user)


def staff_directory(actor: User, organisation: Organisation | None = None) -> QuerySet[StaffProfile]:
    """工作人员名录 for the system and security admins."""
    held = roles_of(actor)
    if not held & {StaffRole.ADMIN, StaffRole.SECURITY_ADMIN}:
        require_role(actor, StaffRole.ADMIN, "staff_directory")
    qs = (
        StaffProfile.objects.select_related("user", "organisation")
        .prefetch_related("roles")
        .order_by("organisation__name", "real_name")
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs


# --- audit trail (安全审计员) ----------------------------------------------------------------------
def audit_events(
    actor: User,
    *,
    action: str = "",
    actor_label: str = "",
    object_id: str = "",
    since: Any = None,
    until: Any = None,
) -> QuerySet[AuditEvent]:
    """审计日志查询: the auditor only.  Each search is itself audited."""
    require_role(actor, StaffRole.AUDITOR, "read_audit")
    qs = AuditEvent.objects.order_by("-sequence")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_label:
        qs = qs.filter(actor_label=actor_label)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(occurred_at__gte=since)
    if until:
        qs = qs.filter(occurred_at__lt=until)
    audit.record(
        "audit.searched",
        actor=actor,
        detail={
            "action": action,
            "actor": actor_label,
            "object_id": object_id,
            "since": str(since or ""),
            "until": str(until or ""),
        },
    )
    return qs


def verify_audit_chain(actor: User) -> audit.ChainReport:
    """审计链校验: the auditor only."""
    require_role(actor, StaffRole.AUDITOR, "verify_audit")
    report = audit.verify_chain()
    audit.record(
        "audit.chain_verified",
        actor=actor,
        detail={"ok": report.ok, "checked": report.checked, "first_bad": report.first_bad_sequence},
    )
    return report


def admin_roles_present(roles: Sequence[str]) -> set[str]:
    return set(roles) & set(THREE_ADMIN_ROLES)
