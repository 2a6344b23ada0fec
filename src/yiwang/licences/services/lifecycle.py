"""Lifecycle (变更、注销、暂停、恢复、过期): status changes by the issuing body, and new versions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.identifiers import make_identifier
from yiwang.licences.models import (
    Licence,
    LicenceStatus,
)
from yiwang.licences.services.catalogue import (
    validate_data,
)
from yiwang.licences.services.issuing import (
    issuing_seal,
)
from yiwang.licences.services.records import (
    describe,
    notify_holder,
    record_event,
    stamp_and_store,
)

LIFECYCLE_ROLES = {"approver", "admin"}
#: What a new version (变更) keeps of the one it supersedes.
CARRIED_TO_NEW_VERSION = (
    "licence_type",
    "serial",
    "holder_code",
    "holder_code_type",
    "holder_user",
    "issuer",
    "issuer_name",
    "issuer_code",
    "region_code",
    "valid_from",
    "valid_until",
    "source_case",
)


# --- lifecycle (变更、注销、暂停、恢复、过期) ----------------------------------------------------------
def require_issuer_staff(actor: User, licence: Licence) -> None:
    held = staff_roles(actor)
    if not held & LIFECYCLE_ROLES:
        raise PermissionDenied("需要审批人或管理员角色", code=LicenceErrorCode.ROLE_REQUIRED)
    if "admin" not in held and actor.staff_profile.organisation_id != licence.issuer_id:
        raise PermissionDenied("只有发证机关可以变更证照状态", code=LicenceErrorCode.ROLE_REQUIRED)


def set_status(
    licence: Licence, allowed: Iterable[str], to_status: str, action: str, actor: User | None, reason: str
) -> Licence:
    locked = Licence.objects.select_for_update().select_related("licence_type").get(pk=licence.pk)
    if locked.status not in set(allowed):
        raise Conflict(
            f"证照当前状态为“{locked.get_status_display()}”，不能{action}",
            code=LicenceErrorCode.INVALID_TRANSITION,
        )
    from_status = locked.status
    locked.status = to_status
    locked.status_reason = reason[:500]
    locked.status_changed_at = timezone.now()
    locked.lock_version += 1
    locked.save(update_fields=["status", "status_reason", "status_changed_at", "lock_version", "updated_at"])
    detail = {"from": from_status, "to": to_status, "reason": reason[:300]}
    record_event(locked, action, from_status, actor, reason, detail=detail)
    notify_holder(
        locked.holder_user_id,
        f"您的{locked.licence_type.name}状态变为“{locked.get_status_display()}”",
        f"{describe(locked)}：{reason}" if reason else describe(locked),
        f"/licences/{locked.public_id}/",
    )
    return locked


def required_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(LicenceErrorCode.INVALID_DATA, "请填写原因", {"reason": ["必填"]})
    return reason


def revoke_licence(licence: Licence, *, actor: User, reason: str) -> Licence:
    """注销 with a reason; verification shows it revoked at once."""
    require_issuer_staff(actor, licence)
    reason = required_reason(reason)
    with transaction.atomic():
        return set_status(
            licence,
            {LicenceStatus.VALID, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED},
            LicenceStatus.REVOKED,
            "revoke",
            actor,
            reason,
        )


def suspend_licence(licence: Licence, *, actor: User, reason: str) -> Licence:
    """暂停 (e.g. during an investigation)."""
    require_issuer_staff(actor, licence)
    reason = required_reason(reason)
    with transaction.atomic():
        return set_status(licence, {LicenceStatus.VALID}, LicenceStatus.SUSPENDED, "suspend", actor, reason)


def resume_licence(licence: Licence, *, actor: User, reason: str = "") -> Licence:
    """恢复 a suspended licence."""
    require_issuer_staff(actor, licence)
    with transaction.atomic():
        return set_status(
            licence, {LicenceStatus.SUSPENDED}, LicenceStatus.VALID, "resume", actor, reason or "恢复"
        )


def expire_due_licences(today: date | None = None) -> int:
    """过期 Mark valid licences past ``valid_until`` expired (verification already computes it)."""
    today = today or timezone.localdate()
    count = 0
    for licence in Licence.objects.filter(status=LicenceStatus.VALID, valid_until__lt=today).select_related(
        "licence_type"
    ):
        with transaction.atomic():
            set_status(
                licence,
                {LicenceStatus.VALID},
                LicenceStatus.EXPIRED,
                "expire",
                None,
                f"有效期至 {licence.valid_until}",
            )
        count += 1
    return count


def change_licence(
    licence: Licence,
    *,
    actor: User,
    reason: str,
    data: dict[str, Any] | None = None,
    holder_name: str | None = None,
) -> Licence:
    """变更 A new version (identifier version + 1) with the changed data; the old one is superseded."""
    require_issuer_staff(actor, licence)
    reason = required_reason(reason)
    if licence.imported or licence.issuer is None:
        raise Conflict("外省市签发的证照须由原发证机关变更", code=LicenceErrorCode.INVALID_TRANSITION)
    merged = {**licence.data, **(data or {})}
    cleaned = validate_data(licence.licence_type, merged)
    seal = issuing_seal(licence.issuer)
    with transaction.atomic():
        old = set_status(
            licence,
            {LicenceStatus.VALID, LicenceStatus.SUSPENDED},
            LicenceStatus.SUPERSEDED,
            "supersede",
            actor,
            reason,
        )
        if old.version >= 999:
            raise Conflict("版本号已达上限", code=LicenceErrorCode.INVALID_TRANSITION)
        today = timezone.localdate()
        new = Licence.objects.create(
            **{name: getattr(old, name) for name in CARRIED_TO_NEW_VERSION},
            identifier=make_identifier(old.licence_type.code, old.issuer_code, old.serial, old.version + 1),
            version=old.version + 1,
            previous=old,
            holder_name=(holder_name or old.holder_name).strip(),
            data=cleaned,
            issued_on=today,
            seal=seal,
        )
        stamp_and_store(new, seal)
        detail = {"previous": old.identifier, "identifier": new.identifier, "reason": reason[:300]}
        record_event(new, "change", "", actor, reason, detail=detail)
    return new
