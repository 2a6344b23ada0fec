"""The holder's wallet (卡包): which licences a user holds."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from yiwang.accounts.models import AccountKind, User
from yiwang.core import audit
from yiwang.core.errors import NotFound
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.models import (
    Licence,
)


# --- the holder's wallet (卡包) --------------------------------------------------------------------
def holder_codes(user: User) -> list[str]:
    """The ID number / credit codes whose licences ``user`` holds."""
    codes = []
    person = getattr(user, "natural_person", None)
    if person is not None:
        codes.append(person.id_number)
    company = getattr(user, "legal_person", None)
    if company is not None:
        codes.append(company.credit_code)
    return codes


def wallet(user: User) -> QuerySet[Licence]:
    """持证人卡包 Licences held by ``user``: bound to the account, or issued to its ID/credit code."""
    if not getattr(user, "is_authenticated", False) or user.kind == AccountKind.STAFF:
        return Licence.objects.none()
    return (
        Licence.objects.filter(Q(holder_user=user) | Q(holder_code__in=holder_codes(user)))
        .select_related("licence_type", "issuer")
        .order_by("-issued_on", "-pk")
    )


def licence_for_holder(user: User, public_id: uuid.UUID | str) -> Licence:
    licence = wallet(user).filter(public_id=public_id).first()
    if licence is None:
        raise NotFound("未找到该电子证照", code=LicenceErrorCode.NOT_FOUND)
    return licence


def record_download(licence: Licence, user: User) -> None:
    audit.record("licence.download", actor=user, obj=licence, detail={"identifier": licence.identifier})


def holds(user: User, licence: Licence) -> bool:
    """Whether ``user`` is the holder of ``licence`` (bound account, ID number or credit code)."""
    return licence.holder_user_id == user.pk or licence.holder_code in holder_codes(user)
