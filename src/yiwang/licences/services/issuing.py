"""Issuance (签发): serial numbers, the issuing seal, and issuing a licence from plain values
(by staff, or for a completed case through ``yiwang.cases.licence_issuing``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, OperationalError, ProgrammingError, connection, transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.identifiers import CREDIT_RE, make_identifier
from yiwang.licences.models import (
    HolderCodeType,
    Licence,
    LicenceSerial,
    LicenceType,
)
from yiwang.licences.services.catalogue import (
    validate_data,
)
from yiwang.licences.services.records import (
    describe,
    holder_user_for,
    notify_holder,
    record_event,
    stamp_and_store,
)
from yiwang.seals.models import Seal, SealStatus, SealType

SEAL_PREFERENCE = [SealType.CERTIFICATE, SealType.ADMINISTRATIVE_APPROVAL, SealType.OFFICIAL]


def issuing_seal(organisation: Organisation) -> Seal:
    """The seal licences of ``organisation`` are stamped with: 证照专用章, else 行政审批专用章, else 公章."""
    seals = list(
        Seal.objects.filter(organisation=organisation, status=SealStatus.ISSUED)
        .exclude(private_key_encrypted="")
        .select_related("organisation", "issuer__parent")
    )
    for kind in SEAL_PREFERENCE:
        for seal in seals:
            if seal.seal_type == kind:
                return seal
    raise DomainError(
        LicenceErrorCode.NO_SEAL,
        f"“{organisation.name}”没有可用的电子印章，无法签发电子证照",
        {"issuer": ["需已启用的证照专用章、行政审批专用章或公章"]},
        status=409,
    )


def valid_until_for(licence_type: LicenceType, valid_from: date) -> date | None:
    if licence_type.validity_years is None:
        return None
    try:
        end = valid_from.replace(year=valid_from.year + licence_type.validity_years)
    except ValueError:  # 29 February
        end = valid_from.replace(year=valid_from.year + licence_type.validity_years, day=28)
    return end - timedelta(days=1)


def next_serial(licence_type: LicenceType, issuer: Organisation, year: int) -> str:
    """The next 流水号 of (type, issuer, year); numbers are never reused.

    On PostgreSQL a sequence per (type, issuer, year) hands out numbers without a row lock: the
    counter row used to stay locked until the issuing transaction committed, i.e. across the PDF
    stamping, which serialised every issuer of one licence type (a rolled-back issuance leaves a gap,
    as case numbers may).  SQLite serialises writers anyway and keeps the counter row.
    """
    if connection.vendor == "postgresql":
        return f"{year}{sequence_next(licence_type, issuer, year):07d}"
    counter, _ = LicenceSerial.objects.select_for_update().get_or_create(
        licence_type=licence_type, issuer=issuer, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}{counter.last:07d}"


def sequence_next(licence_type: LicenceType, issuer: Organisation, year: int) -> int:
    name = f"yw_licence_serial_{int(licence_type.pk)}_{int(issuer.pk)}_{int(year)}"
    for _attempt in range(3):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT nextval(%s)", [name])
                return int(cursor.fetchone()[0])
        except (ProgrammingError, OperationalError):
            pass  # no sequence yet: create it after the numbers the counter row already gave out
        last = (
            LicenceSerial.objects.filter(licence_type=licence_type, issuer=issuer, year=year)
            .values_list("last", flat=True)
            .first()
        ) or 0
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START WITH {int(last) + 1}')
        except (IntegrityError, ProgrammingError):
            pass  # a concurrent issuer created it first
    raise RuntimeError(f"licence serial sequence {name} unavailable")


def issue_licence(
    licence_type: LicenceType,
    *,
    holder_name: str,
    holder_code: str,
    holder_code_type: str,
    issuer: Organisation,
    data: dict[str, Any],
    holder_user: User | None = None,
    source_case_id: int | None = None,
    source_reference: str = "",
    actor: User | None = None,
    issued_on: date | None = None,
) -> Licence:
    """签发 Issue a licence: validate the data, assign serial and identifier, render the fixed-layout
    PDF with its QR code, stamp it with the issuing body's seal and sign the data record (SM2).

    Called by staff (API) or, with ``source_case_id`` (and the case number as ``source_reference``),
    by ``yiwang.cases.licence_issuing`` when a case completes with a licence result (办结出证).
    """
    if not licence_type.is_active:
        raise DomainError(
            LicenceErrorCode.INVALID_TYPE, "该证照类型已停用", {"licence_type": [licence_type.name]}
        )
    held = staff_roles(actor) if actor is not None else set()
    if (
        actor is not None
        and held
        and "admin" not in held
        and actor.staff_profile.organisation_id != issuer.pk
    ):
        raise PermissionDenied("只能以本单位名义签发证照", code=LicenceErrorCode.ROLE_REQUIRED)
    if licence_type.issuing_organisation_id and licence_type.issuing_organisation_id != issuer.pk:
        raise DomainError(
            LicenceErrorCode.INVALID_TYPE,
            f"{licence_type.name}由{licence_type.issuing_organisation}签发",
            {"issuer": [issuer.name]},
        )
    errors: dict[str, list[str]] = {}
    holder_name, holder_code = holder_name.strip(), holder_code.strip().upper()
    if not holder_name:
        errors["holder_name"] = ["请填写持证主体名称"]
    if not holder_code:
        errors["holder_code"] = ["请填写持证主体代码"]
    if holder_code_type not in HolderCodeType.values:
        errors["holder_code_type"] = [f"应为：{'、'.join(HolderCodeType.values)}"]
    if errors:
        raise DomainError(LicenceErrorCode.INVALID_DATA, "持证主体信息不完整", errors)
    cleaned = validate_data(licence_type, data)
    if not CREDIT_RE.match(issuer.credit_code):
        raise DomainError(
            LicenceErrorCode.INVALID_DATA, "颁发机构统一社会信用代码不正确", {"issuer": [issuer.credit_code]}
        )
    seal = issuing_seal(issuer)
    today = issued_on or timezone.localdate()
    with transaction.atomic():
        serial = next_serial(licence_type, issuer, today.year)
        licence = Licence.objects.create(
            licence_type=licence_type,
            identifier=make_identifier(licence_type.code, issuer.credit_code, serial, 1),
            serial=serial,
            version=1,
            holder_name=holder_name,
            holder_code=holder_code,
            holder_code_type=holder_code_type,
            holder_user=holder_user or holder_user_for(holder_code),
            issuer=issuer,
            issuer_name=issuer.name,
            issuer_code=issuer.credit_code,
            region_code=issuer.region.code if issuer.region_id else "",
            data=cleaned,
            issued_on=today,
            valid_from=today,
            valid_until=valid_until_for(licence_type, today),
            seal=seal,
            source_case_id=source_case_id,
        )
        stamp_and_store(licence, seal)
        detail = {
            "identifier": licence.identifier,
            "type": licence_type.code,
            "seal": str(seal.public_id),
            "case": source_reference,
        }
        record_event(licence, "issue", "", actor, detail=detail)
        notify_holder(
            licence.holder_user_id,
            f"您获得了电子证照：{licence_type.name}",
            f"{describe(licence)}已签发给“{licence.holder_name}”，已放入其证照夹（我的证照），可查看、下载和亮证。",
            f"/licences/{licence.public_id}/",
        )
    return licence


def issued_for_source_case(case_id: int) -> Licence | None:
    """The licence already issued for a case (one licence per case), if any."""
    return Licence.objects.filter(source_case_id=case_id).order_by("pk").first()


#: The applicant's ID type as a case records it → the holder code type of the licence.
HOLDER_CODE_TYPES_BY_ID_TYPE = {
    "身份证": HolderCodeType.ID_CARD,
    "居民身份证": HolderCodeType.ID_CARD,
    "统一社会信用代码": HolderCodeType.CREDIT_CODE,
    "护照": HolderCodeType.PASSPORT,
}


def holder_code_type_for(id_type: str) -> str:
    return HOLDER_CODE_TYPES_BY_ID_TYPE.get(id_type, HolderCodeType.OTHER)
