"""Staff user centre (工作人员用户中心): accounts (系统管理员), roles (安全管理员), the audit trail (安全审计员).

三员 (separation of duties, MLPS level 3):

* 系统管理员 (``admin``) manages accounts — creates, disables, resets MFA — but cannot grant roles,
  least of all to himself, and cannot read the audit trail;
* 安全管理员 (``security_admin``) grants and revokes roles and data scopes and manages policies;
* 安全审计员 (``auditor``) reads the audit trail and verifies its chain, and nothing else.

No one may hold two of the three, and no one may change his own roles.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import THREE_ADMIN_ROLES, DataScope, StaffRole, StaffRoleAssignment, User
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.roles import forget_roles, require_role, roles_of
from yiwang.accounts.services.mfa import delete_devices
from yiwang.accounts.services.registration import create_staff_account
from yiwang.core import audit
from yiwang.core.audit_checkpoints import verify_trail
from yiwang.core.errors import CoreErrorCode, DomainError, NotFound
from yiwang.core.models import AuditEvent, Organisation


def staff_roles(user: User) -> set[str]:
    """The roles the staff account holds (empty for anyone else)."""
    return roles_of(user)


# --- accounts (系统管理员) -------------------------------------------------------------------------
def admin_create_staff(
    actor: User, *, username: str, password: str, real_name: str, organisation: Organisation, phone: str = ""
) -> User:
    """系统管理员 creates a staff account without roles; the security admin grants them."""
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
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "未知角色", {"role": [role]})
    if scope not in DataScope.values:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "未知数据范围", {"scope": [scope]})
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
    report = verify_trail()  # the keyed chain and the signed checkpoints outside the database
    audit.record(
        "audit.chain_verified",
        actor=actor,
        detail={"ok": report.ok, "checked": report.checked, "first_bad": report.first_bad_sequence},
    )
    return report
