"""Who may manage seals: the roles, the organisation scope, and the statuses a seal can be used in."""

from __future__ import annotations

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core.errors import PermissionDenied
from yiwang.core.models import Organisation
from yiwang.seals.errors import SealErrorCode
from yiwang.seals.models import (
    SealStatus,
)

SM2_PURPOSE = "seal-sm2-key"
USABLE_STATUSES = {SealStatus.ISSUED}
SEAL_ADMIN_ROLES = {"admin"}
SEAL_APPLICANT_ROLES = {"admin", "service_manager"}


def require_roles(actor: User | None, roles: set[str], organisation: Organisation | None = None) -> None:
    if actor is None:
        raise PermissionDenied("需要工作人员操作")
    held = staff_roles(actor)
    if not held & roles:
        raise PermissionDenied("您没有管理电子印章的角色", code=SealErrorCode.ROLE_REQUIRED)
    if (
        organisation is not None
        and "admin" not in held
        and actor.staff_profile.organisation_id != organisation.pk
    ):
        raise PermissionDenied("只能为本单位申请或管理印章", code=SealErrorCode.NOT_IN_SCOPE)
