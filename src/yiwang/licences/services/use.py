"""Use by departments (一证通办): look-up, use with a legal basis or the holder's authorisation,
and use for a case's material."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.models import (
    Licence,
    LicenceStatus,
    LicenceType,
    LicenceUseConsent,
    LicenceUseRecord,
    TrustLevel,
)
from yiwang.licences.services.consents import current_consent, record_consent
from yiwang.licences.services.records import (
    data_ok,
    effective_status,
    mask_id_number,
    notify_holder,
    status_label,
)
from yiwang.licences.services.verification import (
    verified_queryset,
)
from yiwang.licences.services.wallet import holds

USE_ROLES = {"window_clerk", "handler", "approver", "admin"}


# --- use by departments (一证通办) -------------------------------------------------------------------
def staff_organisation(user: User, roles: set[str]) -> Organisation:
    held = staff_roles(user)
    if not held & roles:
        raise PermissionDenied("您没有使用电子证照的岗位角色", code=LicenceErrorCode.ROLE_REQUIRED)
    return user.staff_profile.organisation


@dataclass(frozen=True)
class LicenceUse:
    """Who uses a licence for what: the using organisation, the acting user, the purpose, the legal
    basis (empty: by the holder's authorisation) and the case it serves, if any."""

    organisation: Organisation
    user: User
    purpose: str
    legal_basis: str = ""
    case: Any = None

    def refused(self, licence: Licence, reason: str) -> None:
        """Audit a refused use (``licence.use_refused``) with its reason."""
        audit.record(
            "licence.use_refused",
            actor=self.user,
            obj=licence,
            detail={"organisation": self.organisation.name, "purpose": self.purpose[:200], "reason": reason},
        )


def check_usable(licence: Licence, use: LicenceUse) -> None:
    """A revoked, suspended, superseded or expired licence, or one whose data record no longer
    verifies, is not used (409, audited).  The status is read afresh from the database."""
    licence.refresh_from_db(fields=["status", "valid_until", "status_reason", "status_changed_at"])
    status = effective_status(licence)
    if status == LicenceStatus.VALID and data_ok(licence):
        return
    use.refused(licence, f"status_{status}")
    raise Conflict(
        f"该电子证照当前状态为“{status_label(status)}”，不能使用"
        if status != LicenceStatus.VALID
        else "该电子证照的数据签名核验未通过，不能使用",
        code=LicenceErrorCode.NOT_CURRENT,
        fields={"licence": [licence.identifier]},
    )


def record_use(
    licence: Licence, use: LicenceUse, consent: LicenceUseConsent | None, trust_level: str = TrustLevel.A
) -> LicenceUseRecord:
    """The use record, its audit record and the holder's message (inside the caller's transaction)."""
    record = LicenceUseRecord.objects.create(
        public_id=uuid.uuid4(),
        licence=licence,
        organisation=use.organisation,
        user=use.user,
        purpose=use.purpose[:300],
        legal_basis=use.legal_basis[:300],
        consent=consent,
        case=use.case,
        trust_level=trust_level,
        used_at=timezone.now(),
    )
    audit.record(
        "licence.use",
        actor=use.user,
        obj=licence,
        detail={
            "organisation": use.organisation.name,
            "purpose": use.purpose[:200],
            "legal_basis": use.legal_basis[:200],
            "consent": str(consent.public_id) if consent else "",
            "case": getattr(use.case, "number", ""),
        },
    )
    notify_holder(
        licence.holder_user_id,
        f"{use.organisation.name}使用了您的{licence.licence_type.name}",
        f"{use.purpose}（办件编号 {use.case.number}）" if use.case is not None else use.purpose,
        "/licences/",
    )
    return record


def refuse_use(licence: Licence, use: LicenceUse) -> DomainError:
    """Audit a use with neither a legal basis nor the holder's authorisation; the error to raise."""
    use.refused(licence, "no_basis_no_consent")
    return DomainError(
        LicenceErrorCode.USE_REFUSED,
        "使用该电子证照须有法律依据或持证人授权",
        {"legal_basis": ["未提供法律依据"], "consent": ["持证人未授权本单位"]},
        status=403,
    )


def use_licence(
    licence: Licence,
    *,
    organisation: Organisation,
    user: User,
    purpose: str,
    legal_basis: str = "",
    case: Any = None,
) -> LicenceUseRecord:
    """用证 A department uses a licence: allowed with a legal basis or the holder's current
    authorisation, refused otherwise (403, audited); a licence that is not currently valid is
    refused (409); every use is logged for the holder to see."""
    staff_organisation(user, USE_ROLES)
    if "admin" not in staff_roles(user) and user.staff_profile.organisation_id != organisation.pk:
        raise PermissionDenied("只能以本单位名义使用证照", code=LicenceErrorCode.ROLE_REQUIRED)
    use = LicenceUse(organisation, user, purpose.strip(), legal_basis.strip(), case)
    if not use.purpose:
        raise DomainError(LicenceErrorCode.INVALID_DATA, "请说明用证事由", {"purpose": ["必填"]})
    consent = None if use.legal_basis else current_consent(licence, organisation)
    if not use.legal_basis and consent is None:
        raise refuse_use(licence, use)
    check_usable(licence, use)
    with transaction.atomic():
        return record_use(licence, use, consent)


def use_licence_for_case(
    licence: Licence,
    *,
    case: Any,
    actor: User,
    purpose: str,
    legal_basis: str = "",
    authorised: bool = False,
) -> LicenceUseRecord:
    """一证通办 The platform takes the applicant's licence from the store for a case's material.

    The using organisation is the case's handling body; the licence must be held by the case's
    applicant and be currently valid with a verifying data record (409 otherwise).  With the
    material's ``legal_basis`` it is used at once; otherwise only when the holder ``authorised``
    it with this application, which is kept as a one-day :class:`LicenceUseConsent` for this
    organisation and licence.  Call inside the case's transaction; ``actor`` is who submitted
    (the applicant, his agent or the registering clerk).
    """
    use = LicenceUse(case.handling_organisation, actor, purpose.strip(), legal_basis.strip(), case)
    applicant = case.applicant
    if not holds(applicant, licence):
        raise PermissionDenied("只能使用申请人本人（本单位）的电子证照", code=LicenceErrorCode.NOT_HOLDER)
    if not use.legal_basis and not authorised:
        raise refuse_use(licence, use)
    check_usable(licence, use)
    consent = None
    if not use.legal_basis:
        today = timezone.localdate()
        consent = record_consent(
            LicenceUseConsent(
                holder_user=applicant,
                holder_code=licence.holder_code,
                organisation=use.organisation,
                licence=licence,
                valid_until=today,
            ),
            actor=actor,
            detail={"licence": licence.identifier, "until": today, "case": getattr(case, "number", "")},
        )
    return record_use(licence, use, consent)


def lookup_for_use(user: User, *, holder_code: str, licence_type: LicenceType | None = None) -> list[Licence]:
    """Staff look up a holder's licences (of a type) to use them; the look-up itself is audited.

    Only the summary is shown; the data is read through :func:`use_licence`."""
    organisation = staff_organisation(user, USE_ROLES)
    holder_code = holder_code.strip().upper()
    if not holder_code:
        raise DomainError(LicenceErrorCode.INVALID_DATA, "请输入持证主体代码", {"holder_code": ["必填"]})
    qs = (
        Licence.objects.filter(holder_code=holder_code)
        .exclude(status=LicenceStatus.SUPERSEDED)
        .select_related("licence_type", "issuer")
    )
    if licence_type is not None:
        qs = qs.filter(licence_type=licence_type)
    found = list(qs.order_by("-issued_on", "-pk")[:100])
    audit.record(
        "licence.lookup",
        actor=user,
        object_type="licences.Licence",
        detail={
            "organisation": organisation.name,
            "holder": mask_id_number(holder_code),
            "type": licence_type.code if licence_type else "",
            "found": len(found),
        },
    )
    return found


def staff_licence(user: User, public_id: uuid.UUID | str) -> Licence:
    staff_organisation(user, USE_ROLES)
    licence = verified_queryset().filter(public_id=public_id).first()
    if licence is None:
        raise NotFound("未找到该电子证照", code=LicenceErrorCode.NOT_FOUND)
    return licence
