"""Authorisations (用证授权): the holder lets a department use a licence (or all of a type) until a date."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.models import (
    HolderType,
    Licence,
    LicenceType,
    LicenceUseConsent,
)
from yiwang.licences.services.wallet import holder_codes, licence_for_holder


def grant_consent(
    user: User,
    *,
    organisation: Organisation,
    valid_until: date,
    licence: Licence | None = None,
    licence_type: LicenceType | None = None,
) -> LicenceUseConsent:
    """用证授权 The holder authorises ``organisation`` to use a licence (or all of a type) until a date."""
    if (licence is None) == (licence_type is None):
        raise DomainError(
            LicenceErrorCode.INVALID_CONSENT, "请选择授权的证照或证照类型（二选一）", {"licence": ["二选一"]}
        )
    if valid_until < timezone.localdate():
        raise DomainError(
            LicenceErrorCode.INVALID_CONSENT, "授权截止日期不能早于今天", {"valid_until": [str(valid_until)]}
        )
    codes = holder_codes(user)
    if licence is not None:
        licence_for_holder(user, licence.public_id)
        holder_code = licence.holder_code
    else:
        if not codes:
            raise PermissionDenied("只有实名用户可以授权用证", code=LicenceErrorCode.NOT_HOLDER)
        holder_code = (
            codes[-1]
            if licence_type is not None and licence_type.holder_type == HolderType.LEGAL
            else codes[0]
        )
    detail = {
        "licence": licence.identifier if licence else "",
        "type": licence_type.code if licence_type else "",
        "until": valid_until,
    }
    with transaction.atomic():
        return record_consent(
            LicenceUseConsent(
                holder_user=user,
                holder_code=holder_code,
                organisation=organisation,
                licence=licence,
                licence_type=licence_type,
                valid_until=valid_until,
            ),
            actor=user,
            detail=detail,
        )


def record_consent(consent: LicenceUseConsent, *, actor: User, detail: dict[str, Any]) -> LicenceUseConsent:
    """Save a new authorisation with its audit record ``licence.consent_granted`` (inside the
    caller's transaction); ``detail`` follows the organisation's name."""
    consent.save(force_insert=True)
    audit.record(
        "licence.consent_granted",
        actor=actor,
        obj=consent,
        detail={"organisation": consent.organisation.name, **detail},
    )
    return consent


def revoke_consent(consent: LicenceUseConsent, *, user: User) -> LicenceUseConsent:
    if consent.holder_user_id != user.pk:
        raise NotFound("未找到该授权", code=LicenceErrorCode.NOT_FOUND)
    with transaction.atomic():
        if LicenceUseConsent.objects.filter(pk=consent.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), updated_at=timezone.now()
        ):
            audit.record(
                "licence.consent_revoked",
                actor=user,
                obj=consent,
                detail={"organisation": consent.organisation.name},
            )
    consent.refresh_from_db()
    return consent


def current_consent(
    licence: Licence, organisation: Organisation, today: date | None = None
) -> LicenceUseConsent | None:
    today = today or timezone.localdate()
    return (
        LicenceUseConsent.objects.filter(
            organisation=organisation,
            revoked_at__isnull=True,
            valid_until__gte=today,
            holder_code=licence.holder_code,
        )
        .filter(Q(licence=licence) | Q(licence_type_id=licence.licence_type_id))
        .order_by("-valid_until")
        .first()
    )
