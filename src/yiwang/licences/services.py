"""E-licence services (电子证照): catalogue, issuance, verification, wallet sharing, use by
departments (一证通办), lifecycle and import.

Every state change here is validated, runs in one transaction, leaves an audit record and notifies
the holder after commit.  Verification is read-only and computes "current" at request time from the
stored status and ``valid_until``, so a revocation, suspension or expiry is seen at once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, ProgrammingError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.accounts.inbox import post_inbox_message
from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.services import staff_roles
from yiwang.core import audit
from yiwang.core.crypto import decrypt_secret
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.licences import sm2
from yiwang.licences.documents import SEAL_BOX, LicenceLayout, render_licence_pdf
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.identifiers import (
    _CREDIT_RE,
    _TYPE_RE,
    IdentifierError,
    make_identifier,
    parse_identifier,
)
from yiwang.licences.models import (
    HolderCodeType,
    HolderType,
    Licence,
    LicenceEvent,
    LicenceSerial,
    LicenceShare,
    LicenceShareView,
    LicenceStatus,
    LicenceType,
    LicenceUseConsent,
    LicenceUseRecord,
    TrustLevel,
)
from yiwang.seals import services as seal_services
from yiwang.seals.models import Seal, SealStatus, SealType

FIELD_TYPES = {"text", "date", "number", "choice"}
SHARE_EXPIRY = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7)}
LIFECYCLE_ROLES = {"approver", "admin"}
USE_ROLES = {"window_clerk", "handler", "approver", "admin"}
SEAL_PREFERENCE = [SealType.CERTIFICATE, SealType.ADMINISTRATIVE_APPROVAL, SealType.OFFICIAL]
ISSUE_REASON = "电子证照签发"


# --- catalogue (证照目录) ------------------------------------------------------------------------
def validate_schema(fields: Any) -> list[dict[str, Any]]:
    """The type's data-field schema: a list of {name, label, type, required[, choices]}."""
    if not isinstance(fields, list) or not fields:
        raise DomainError(LicenceErrorCode.INVALID_TYPE, "证照数据项不能为空", {"fields": ["至少一项"]})
    cleaned, seen = [], set()
    for index, item in enumerate(fields):
        key = f"fields.{index}"
        if (
            not isinstance(item, dict)
            or not str(item.get("name", "")).strip()
            or not str(item.get("label", "")).strip()
        ):
            raise DomainError(
                LicenceErrorCode.INVALID_TYPE, "数据项须有 name 和 label", {key: ["缺少 name 或 label"]}
            )
        name = str(item["name"]).strip()
        kind = str(item.get("type", "text"))
        if kind not in FIELD_TYPES:
            raise DomainError(
                LicenceErrorCode.INVALID_TYPE,
                f"数据项类型“{kind}”不支持",
                {key: [f"类型应为 {sorted(FIELD_TYPES)}"]},
            )
        if name in seen:
            raise DomainError(LicenceErrorCode.INVALID_TYPE, f"数据项“{name}”重复", {key: ["重复"]})
        seen.add(name)
        entry: dict[str, Any] = {
            "name": name,
            "label": str(item["label"]).strip(),
            "type": kind,
            "required": bool(item.get("required", False)),
        }
        if kind == "choice":
            choices = item.get("choices")
            if not isinstance(choices, list) or not choices:
                raise DomainError(
                    LicenceErrorCode.INVALID_TYPE, "选择项须列出 choices", {key: ["缺少 choices"]}
                )
            entry["choices"] = [str(c) for c in choices]
        cleaned.append(entry)
    return cleaned


def create_licence_type(
    *,
    code: str,
    name: str,
    holder_type: str,
    fields: list[dict[str, Any]],
    validity_years: int | None = None,
    issuing_organisation: Organisation | None = None,
    issuing_department_kind: str = "",
    template: dict[str, Any] | None = None,
    actor: User | None = None,
) -> LicenceType:
    """Add a licence type to the catalogue (GB/T 36902)."""
    code = code.strip().upper()
    if not _TYPE_RE.match(code):
        raise DomainError(
            LicenceErrorCode.INVALID_TYPE,
            "证照类型代码应为 18 位统一社会信用代码加 3 位数字",
            {"code": [code]},
        )
    if holder_type not in HolderType.values:
        raise DomainError(LicenceErrorCode.INVALID_TYPE, "持证主体类型不正确", {"holder_type": [holder_type]})
    if not name.strip():
        raise DomainError(LicenceErrorCode.INVALID_TYPE, "请填写证照名称", {"name": ["必填"]})
    if validity_years is not None and not 1 <= validity_years <= 100:
        raise DomainError(
            LicenceErrorCode.INVALID_TYPE,
            "有效期应为 1–100 年或长期",
            {"validity_years": [str(validity_years)]},
        )
    schema = validate_schema(fields)
    names = [f["name"] for f in schema]
    layout = dict(template or {})
    layout.setdefault("title", name)
    order = layout.get("fields") or names
    unknown = [n for n in order if n not in names]
    if unknown:
        raise DomainError(
            LicenceErrorCode.INVALID_TYPE, "版式中的数据项不在数据项清单中", {"template": unknown}
        )
    layout["fields"] = list(order)
    with transaction.atomic():
        if LicenceType.objects.filter(code=code).exists():
            raise Conflict("证照类型代码已存在", code=LicenceErrorCode.INVALID_TYPE, fields={"code": [code]})
        licence_type = LicenceType.objects.create(
            code=code,
            name=name.strip(),
            holder_type=holder_type,
            fields=schema,
            validity_years=validity_years,
            issuing_organisation=issuing_organisation,
            issuing_department_kind=issuing_department_kind,
            template=layout,
        )
        audit.record(
            "licence.type_created", actor=actor, obj=licence_type, detail={"code": code, "name": name}
        )
    return licence_type


def validate_data(licence_type: LicenceType, data: dict[str, Any]) -> dict[str, Any]:
    """Check ``data`` against the type's schema; every error is reported under its field name."""
    if not isinstance(data, dict):
        raise DomainError(LicenceErrorCode.INVALID_DATA, "证照数据应为对象", {"data": ["应为 JSON 对象"]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    known = {f["name"] for f in licence_type.fields}
    for extra in sorted(set(data) - known):
        errors[extra] = ["不是该证照类型的数据项"]
    for spec in licence_type.fields:
        name, kind = spec["name"], spec["type"]
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.get("required"):
                errors[name] = [f"请填写{spec['label']}"]
            continue
        if kind == "date":
            try:
                cleaned[name] = date.fromisoformat(str(value)).isoformat()
            except ValueError:
                errors[name] = [f"{spec['label']}应为日期（YYYY-MM-DD）"]
        elif kind == "number":
            if isinstance(value, bool):
                errors[name] = [f"{spec['label']}应为数字"]
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                errors[name] = [f"{spec['label']}应为数字"]
                continue
            cleaned[name] = int(number) if number.is_integer() else number
        elif kind == "choice":
            if str(value) not in spec.get("choices", []):
                errors[name] = [f"{spec['label']}应为：{'、'.join(spec.get('choices', []))}"]
            else:
                cleaned[name] = str(value)
        else:
            text = str(value).strip()
            if len(text) > 500:
                errors[name] = [f"{spec['label']}不超过 500 字"]
            cleaned[name] = text
    if errors:
        raise DomainError(LicenceErrorCode.INVALID_DATA, "证照数据不符合该证照类型的要求", errors)
    return cleaned


# --- the signed data record ----------------------------------------------------------------------
def record_of(licence: Licence) -> dict[str, Any]:
    """GB/T 36903 metadata plus the type's data: what the seal signs."""
    return {
        "identifier": licence.identifier,
        "type_name": licence.licence_type.name,
        "type_code": licence.licence_type.code,
        "version": licence.version,
        "holder": licence.holder_name,
        "holder_code": licence.holder_code,
        "holder_code_type": licence.holder_code_type,
        "issuer": licence.issuer_name,
        "issuer_code": licence.issuer_code,
        "issued_on": licence.issued_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "region_code": licence.region_code,
        "data": licence.data,
    }


def canonical_json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sign(seal: Seal, data: bytes) -> str:
    """SM2-with-SM3 with the seal's key; same result format as ``seals.services.sign_record``."""
    if seal.status != SealStatus.ISSUED or not seal.sm2_private_key_encrypted:
        raise Conflict("印章不可用", code=LicenceErrorCode.NO_SEAL)
    private_hex = decrypt_secret(seal.sm2_private_key_encrypted, seal_services.SM2_PURPOSE).decode()
    return sm2.sign(private_hex, data, public_key_hex=seal.sm2_public_key)


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


def verify_url(identifier: str) -> str:
    from yiwang.core.public_url import public_url

    return public_url(f"/verify/{identifier}/")


def _valid_until(licence_type: LicenceType, valid_from: date) -> date | None:
    if licence_type.validity_years is None:
        return None
    try:
        end = valid_from.replace(year=valid_from.year + licence_type.validity_years)
    except ValueError:  # 29 February
        end = valid_from.replace(year=valid_from.year + licence_type.validity_years, day=28)
    return end - timedelta(days=1)


def _next_serial(licence_type: LicenceType, issuer: Organisation, year: int) -> str:
    """The next 流水号 of (type, issuer, year); numbers are never reused.

    On PostgreSQL a sequence per (type, issuer, year) hands out numbers without a row lock: the
    counter row used to stay locked until the issuing transaction committed, i.e. across the PDF
    stamping, which serialised every issuer of one licence type (a rolled-back issuance leaves a gap,
    as case numbers may).  SQLite serialises writers anyway and keeps the counter row.
    """
    if connection.vendor == "postgresql":
        return f"{year}{_sequence_next(licence_type, issuer, year):07d}"
    counter, _ = LicenceSerial.objects.select_for_update().get_or_create(
        licence_type=licence_type, issuer=issuer, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}{counter.last:07d}"


def _sequence_next(licence_type: LicenceType, issuer: Organisation, year: int) -> int:
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


def _layout(licence: Licence) -> LicenceLayout:
    labels = {f["name"]: f["label"] for f in licence.licence_type.fields}
    order = licence.licence_type.template.get("fields") or list(labels)
    rows = [
        (labels[name], str(licence.data[name])) for name in order if name in licence.data and name in labels
    ]
    return LicenceLayout(
        title=str(licence.licence_type.template.get("title") or licence.licence_type.name),
        identifier=licence.identifier,
        holder_name=licence.holder_name,
        holder_code_label=licence.holder_code_type or "证件号码",
        holder_code=licence.holder_code,
        rows=rows,
        issuer_name=licence.issuer_name,
        issued_on=licence.issued_on,
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        verify_url=verify_url(licence.identifier),
    )


def _notify(user_id: int | None, title: str, body: str, link: str) -> None:
    if user_id is None:
        return
    occurred_at = timezone.now()  # when it happened, not when the commit delivers the message

    def send() -> None:
        post_inbox_message(user_id, title=title, body=body, link=link, occurred_at=occurred_at)

    transaction.on_commit(send)


def describe(licence: Licence) -> str:
    """A licence as a person reads it in a message: its name, its number and who issued it."""
    number = str(licence.data.get("number") or licence.serial)
    return f"{licence.licence_type.name}（证照编号：{number}，发证机关：{licence.issuer_name}）"


def _event(licence: Licence, action: str, from_status: str, actor: User | None, reason: str = "") -> None:
    LicenceEvent.objects.create(
        licence=licence,
        action=action,
        from_status=from_status,
        to_status=licence.status,
        actor=actor,
        reason=reason[:500],
        occurred_at=timezone.now(),
    )


def _stamp_and_store(licence: Licence, seal: Seal) -> None:
    """Render, stamp and sign ``licence`` (already saved, inside the caller's transaction)."""
    licence.record_json = canonical_json(record_of(licence))
    licence.data_signature = _sign(seal, licence.record_json.encode())
    licence.signer_public_key = seal.sm2_public_key
    signed = seal_services.stamp_pdf(
        seal,
        render_licence_pdf(_layout(licence)),
        user=None,
        reason=ISSUE_REASON,
        reference=licence.identifier[-60:],
        box=SEAL_BOX,
        system=True,
    )
    licence.document.save(f"{licence.public_id.hex}.pdf", ContentFile(signed), save=False)
    licence.document_sha256 = hashlib.sha256(signed).hexdigest()
    licence.save(
        update_fields=[
            "record_json",
            "data_signature",
            "signer_public_key",
            "document",
            "document_sha256",
            "updated_at",
        ]
    )


def _holder_user_for(holder_code: str) -> User | None:
    return (
        User.objects.filter(
            Q(natural_person__id_number=holder_code) | Q(legal_person__credit_code=holder_code)
        )
        .order_by("pk")
        .first()
    )


def issue_licence(
    licence_type: LicenceType,
    *,
    holder_name: str,
    holder_code: str,
    holder_code_type: str,
    issuer: Organisation,
    data: dict[str, Any],
    holder_user: User | None = None,
    source_case: Any = None,
    actor: User | None = None,
    issued_on: date | None = None,
) -> Licence:
    """签发 Issue a licence: validate the data, assign serial and identifier, render the fixed-layout
    PDF with its QR code, stamp it with the issuing body's seal and sign the data record (SM2).

    Called by staff (API) or, with ``source_case``, by the case workflow when a case completes with
    a licence result (办结出证).
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
    if not _CREDIT_RE.match(issuer.credit_code):
        raise DomainError(
            LicenceErrorCode.INVALID_DATA, "颁发机构统一社会信用代码不正确", {"issuer": [issuer.credit_code]}
        )
    seal = issuing_seal(issuer)
    today = issued_on or timezone.localdate()
    with transaction.atomic():
        serial = _next_serial(licence_type, issuer, today.year)
        licence = Licence.objects.create(
            licence_type=licence_type,
            identifier=make_identifier(licence_type.code, issuer.credit_code, serial, 1),
            serial=serial,
            version=1,
            holder_name=holder_name,
            holder_code=holder_code,
            holder_code_type=holder_code_type,
            holder_user=holder_user or _holder_user_for(holder_code),
            issuer=issuer,
            issuer_name=issuer.name,
            issuer_code=issuer.credit_code,
            region_code=issuer.region.code if issuer.region_id else "",
            data=cleaned,
            issued_on=today,
            valid_from=today,
            valid_until=_valid_until(licence_type, today),
            seal=seal,
            source_case=source_case,
        )
        _stamp_and_store(licence, seal)
        _event(licence, "issue", "", actor)
        audit.record(
            "licence.issue",
            actor=actor,
            obj=licence,
            detail={
                "identifier": licence.identifier,
                "type": licence_type.code,
                "seal": str(seal.public_id),
                "case": getattr(source_case, "number", ""),
            },
        )
        _notify(
            licence.holder_user_id,
            f"您获得了电子证照：{licence_type.name}",
            f"{describe(licence)}已签发给“{licence.holder_name}”，已放入其证照夹（我的证照），可查看、下载和亮证。",
            f"/licences/{licence.public_id}/",
        )
    return licence


def mask_id_number(value: str) -> str:
    """证件号码脱敏 for public pages: only the last 4 characters are shown."""
    value = value or ""
    return "*" * max(len(value) - 4, 0) + value[-4:]


# --- verification (核验) -------------------------------------------------------------------------
def effective_status(licence: Licence, today: date | None = None) -> str:
    """The status at request time: a valid licence past ``valid_until`` is expired."""
    today = today or timezone.localdate()
    if (
        licence.status == LicenceStatus.VALID
        and licence.valid_until is not None
        and licence.valid_until < today
    ):
        return LicenceStatus.EXPIRED
    return licence.status


def status_label(status: str) -> str:
    return str(LicenceStatus(status).label)


def verify_data_record(licence: Licence) -> bool:
    """The SM2 signature verifies over the record rebuilt from the stored fields."""
    record = canonical_json(record_of(licence))
    return (
        record == licence.record_json
        and bool(licence.signer_public_key)
        and sm2.verify(licence.signer_public_key, licence.data_signature, record.encode())
    )


@dataclass
class LicenceVerification:
    """核验结果."""

    licence: Licence | None
    status: str = ""
    status_label: str = ""
    current: bool = False
    data_ok: bool = False
    signature_ok: bool | None = None  # None: the PDF was not checked
    document_matches: bool | None = None
    signatures: list[seal_services.SignatureReport] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return (
            self.licence is not None
            and self.current
            and self.data_ok
            and self.signature_ok is not False
            and self.document_matches is not False
        )

    @property
    def masked_holder_code(self) -> str:
        return mask_id_number(self.licence.holder_code) if self.licence else ""


def _verification(licence: Licence, today: date | None = None) -> LicenceVerification:
    status = effective_status(licence, today)
    return LicenceVerification(
        licence=licence,
        status=status,
        status_label=status_label(status),
        current=status == LicenceStatus.VALID,
        data_ok=data_ok(licence),
    )


def _verified_queryset() -> QuerySet[Licence]:
    # Only the type is joined: the record carries the issuer's name and code itself.
    return Licence.objects.select_related("licence_type").order_by()


def verify_identifier(identifier: str, *, check_document: bool = False) -> LicenceVerification:
    """Verify by identifier: status, data signature and, on request, the stored PDF's seal."""
    normalised = str(parse_identifier(identifier))
    licence = _verified_queryset().filter(identifier=normalised).first()
    if licence is None:
        raise NotFound("未找到该电子证照", code=LicenceErrorCode.NOT_FOUND)
    result = _verification(licence)
    if check_document:
        report = seal_services.verify_pdf(_document_bytes(licence))
        result.signatures = report.signatures
        result.signature_ok = report.ok
        result.document_matches = True
    return result


def _document_bytes(licence: Licence) -> bytes:
    if not licence.document:
        return b""
    with licence.document.open("rb") as handle:
        return handle.read()


def verify_document(pdf: bytes) -> LicenceVerification:
    """Verify an uploaded licence PDF: its seals, and that it is the document issued for a licence
    (same SHA-256, or its signed revision is), then that licence's status and data."""
    report = seal_services.verify_pdf(pdf)
    if report.error:
        return LicenceVerification(
            licence=None, signature_ok=False, error=report.error, signatures=report.signatures
        )
    digest = hashlib.sha256(pdf).hexdigest()
    licence = _verified_queryset().filter(document_sha256=digest).first()
    matches = licence is not None
    if licence is None:
        licence = _licence_from_pdf(pdf)
    if licence is None:
        return LicenceVerification(
            licence=None,
            signature_ok=report.ok,
            signatures=report.signatures,
            document_matches=False,
            error="未找到与该文件对应的电子证照",
        )
    result = _verification(licence)
    result.signatures = report.signatures
    result.signature_ok = report.ok
    result.document_matches = matches
    if not matches:
        result.error = "文件与签发的电子证照不一致"
    return result


def _licence_from_pdf(pdf: bytes) -> Licence | None:
    """The licence named in the PDF's metadata (Subject = identifier), if any."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        metadata = PdfReader(io.BytesIO(pdf)).metadata
        subject = str(metadata.get("/Subject", "")) if metadata is not None else ""
    except (PyPdfError, ValueError, KeyError):
        return None
    try:
        identifier = str(parse_identifier(subject))
    except IdentifierError:
        return None
    return _verified_queryset().filter(identifier=identifier).first()


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


# --- share links (亮证) ----------------------------------------------------------------------------
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_share(licence: Licence, *, user: User, expiry: str) -> tuple[LicenceShare, str]:
    """A share link valid for 1 h, 1 day or 7 days; returns the share and the one-time-shown token."""
    if expiry not in SHARE_EXPIRY:
        raise DomainError(
            LicenceErrorCode.INVALID_EXPIRY, "有效期应为 1 小时、1 天或 7 天", {"expiry": [expiry]}
        )
    licence_for_holder(user, licence.public_id)
    if effective_status(licence) != LicenceStatus.VALID:
        raise Conflict("证照当前不是有效状态，不能分享", code=LicenceErrorCode.NOT_CURRENT)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        share = LicenceShare.objects.create(
            licence=licence,
            token_hash=_token_hash(token),
            created_by=user,
            expires_at=timezone.now() + SHARE_EXPIRY[expiry],
        )
        audit.record(
            "licence.share_created",
            actor=user,
            obj=licence,
            detail={"share": str(share.public_id), "expiry": expiry},
        )
    return share, token


def revoke_share(share: LicenceShare, *, user: User) -> LicenceShare:
    licence_for_holder(user, share.licence.public_id)
    with transaction.atomic():
        updated = LicenceShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), updated_at=timezone.now()
        )
        if updated:
            audit.record(
                "licence.share_revoked", actor=user, obj=share.licence, detail={"share": str(share.public_id)}
            )
    share.refresh_from_db()
    return share


def share_url(token: str) -> str:
    from yiwang.core.public_url import public_url

    return public_url(f"/licences/shared/{token}/")


def open_share(token: str, *, ip_address: str | None = None, user_agent: str = "") -> LicenceShare:
    """A third party opens a share link: refused when expired or revoked; every view is logged."""
    share = (
        LicenceShare.objects.select_related("licence__licence_type", "licence__issuer")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if share is None:
        raise NotFound("分享链接不存在", code=LicenceErrorCode.NOT_FOUND)
    now = timezone.now()
    if share.revoked_at is not None:
        audit.record(
            "licence.share_refused",
            obj=share.licence,
            detail={"share": str(share.public_id), "reason": "revoked"},
        )
        raise DomainError(LicenceErrorCode.SHARE_REVOKED, "持证人已撤销该分享链接", status=410)
    if share.expires_at <= now:
        audit.record(
            "licence.share_refused",
            obj=share.licence,
            detail={"share": str(share.public_id), "reason": "expired"},
        )
        raise DomainError(LicenceErrorCode.SHARE_EXPIRED, "分享链接已过期", status=410)
    with transaction.atomic():
        LicenceShareView.objects.create(
            share=share, viewed_at=now, ip_address=audit.normalise_ip(ip_address), user_agent=user_agent[:300]
        )
        LicenceShare.objects.filter(pk=share.pk).update(view_count=share.view_count + 1)
        audit.record(
            "licence.share_viewed",
            obj=share.licence,
            detail={"share": str(share.public_id), "ip": ip_address or ""},
        )
    return share


# --- use by departments (一证通办) -------------------------------------------------------------------
def _staff_org(user: User, roles: set[str]) -> Organisation:
    held = staff_roles(user)
    if not held & roles:
        raise PermissionDenied("您没有使用电子证照的岗位角色", code=LicenceErrorCode.ROLE_REQUIRED)
    return user.staff_profile.organisation


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
    with transaction.atomic():
        consent = LicenceUseConsent.objects.create(
            holder_user=user,
            holder_code=holder_code,
            organisation=organisation,
            licence=licence,
            licence_type=licence_type,
            valid_until=valid_until,
        )
        audit.record(
            "licence.consent_granted",
            actor=user,
            obj=consent,
            detail={
                "organisation": organisation.name,
                "licence": licence.identifier if licence else "",
                "type": licence_type.code if licence_type else "",
                "until": valid_until,
            },
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


def _check_usable(licence: Licence, user: User, organisation: Organisation, purpose: str) -> None:
    """A revoked, suspended, superseded or expired licence, or one whose data record no longer
    verifies, is not used (409, audited).  The status is read afresh from the database."""
    licence.refresh_from_db(fields=["status", "valid_until", "status_reason", "status_changed_at"])
    status = effective_status(licence)
    if status == LicenceStatus.VALID and data_ok(licence):
        return
    audit.record(
        "licence.use_refused",
        actor=user,
        obj=licence,
        detail={"organisation": organisation.name, "purpose": purpose[:200], "reason": f"status_{status}"},
    )
    raise Conflict(
        f"该电子证照当前状态为“{status_label(status)}”，不能使用"
        if status != LicenceStatus.VALID
        else "该电子证照的数据签名核验未通过，不能使用",
        code=LicenceErrorCode.NOT_CURRENT,
        fields={"licence": [licence.identifier]},
    )


def _record_use(
    licence: Licence,
    *,
    organisation: Organisation,
    user: User,
    purpose: str,
    legal_basis: str,
    consent: LicenceUseConsent | None,
    case: Any,
    trust_level: str = TrustLevel.A,
) -> LicenceUseRecord:
    """The use record, its audit record and the holder's message (inside the caller's transaction)."""
    record = LicenceUseRecord.objects.create(
        public_id=uuid.uuid4(),
        licence=licence,
        organisation=organisation,
        user=user,
        purpose=purpose[:300],
        legal_basis=legal_basis[:300],
        consent=consent,
        case=case,
        trust_level=trust_level,
        used_at=timezone.now(),
    )
    audit.record(
        "licence.use",
        actor=user,
        obj=licence,
        detail={
            "organisation": organisation.name,
            "purpose": purpose[:200],
            "legal_basis": legal_basis[:200],
            "consent": str(consent.public_id) if consent else "",
            "case": getattr(case, "number", ""),
        },
    )
    _notify(
        licence.holder_user_id,
        f"{organisation.name}使用了您的{licence.licence_type.name}",
        f"{purpose}（办件编号 {case.number}）" if case is not None else purpose,
        "/licences/",
    )
    return record


def _refuse_use(licence: Licence, user: User, organisation: Organisation, purpose: str) -> DomainError:
    audit.record(
        "licence.use_refused",
        actor=user,
        obj=licence,
        detail={
            "organisation": organisation.name,
            "purpose": purpose[:200],
            "reason": "no_basis_no_consent",
        },
    )
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
    _staff_org(user, USE_ROLES)
    if "admin" not in staff_roles(user) and user.staff_profile.organisation_id != organisation.pk:
        raise PermissionDenied("只能以本单位名义使用证照", code=LicenceErrorCode.ROLE_REQUIRED)
    purpose, legal_basis = purpose.strip(), legal_basis.strip()
    if not purpose:
        raise DomainError(LicenceErrorCode.INVALID_DATA, "请说明用证事由", {"purpose": ["必填"]})
    consent = None if legal_basis else current_consent(licence, organisation)
    if not legal_basis and consent is None:
        raise _refuse_use(licence, user, organisation, purpose)
    _check_usable(licence, user, organisation, purpose)
    with transaction.atomic():
        return _record_use(
            licence,
            organisation=organisation,
            user=user,
            purpose=purpose,
            legal_basis=legal_basis,
            consent=consent,
            case=case,
        )


def holds(user: User, licence: Licence) -> bool:
    """Whether ``user`` is the holder of ``licence`` (bound account, ID number or credit code)."""
    return licence.holder_user_id == user.pk or licence.holder_code in holder_codes(user)


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
    organisation = case.handling_organisation
    applicant = case.applicant
    purpose, legal_basis = purpose.strip(), legal_basis.strip()
    if not holds(applicant, licence):
        raise PermissionDenied("只能使用申请人本人（本单位）的电子证照", code=LicenceErrorCode.NOT_HOLDER)
    if not legal_basis and not authorised:
        raise _refuse_use(licence, actor, organisation, purpose)
    _check_usable(licence, actor, organisation, purpose)
    consent = None
    if not legal_basis:
        consent = LicenceUseConsent.objects.create(
            holder_user=applicant,
            holder_code=licence.holder_code,
            organisation=organisation,
            licence=licence,
            valid_until=timezone.localdate(),
        )
        audit.record(
            "licence.consent_granted",
            actor=actor,
            obj=consent,
            detail={
                "organisation": organisation.name,
                "licence": licence.identifier,
                "until": consent.valid_until,
                "case": getattr(case, "number", ""),
            },
        )
    return _record_use(
        licence,
        organisation=organisation,
        user=actor,
        purpose=purpose,
        legal_basis=legal_basis,
        consent=consent,
        case=case,
    )


def lookup_for_use(user: User, *, holder_code: str, licence_type: LicenceType | None = None) -> list[Licence]:
    """Staff look up a holder's licences (of a type) to use them; the look-up itself is audited.

    Only the summary is shown; the data is read through :func:`use_licence`."""
    organisation = _staff_org(user, USE_ROLES)
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
    _staff_org(user, USE_ROLES)
    licence = _verified_queryset().filter(public_id=public_id).first()
    if licence is None:
        raise NotFound("未找到该电子证照", code=LicenceErrorCode.NOT_FOUND)
    return licence


# --- lifecycle (变更、注销、暂停、恢复、过期) ----------------------------------------------------------
def _require_issuer_staff(actor: User, licence: Licence) -> None:
    held = staff_roles(actor)
    if not held & LIFECYCLE_ROLES:
        raise PermissionDenied("需要审批人或管理员角色", code=LicenceErrorCode.ROLE_REQUIRED)
    if "admin" not in held and actor.staff_profile.organisation_id != licence.issuer_id:
        raise PermissionDenied("只有发证机关可以变更证照状态", code=LicenceErrorCode.ROLE_REQUIRED)


def _set_status(
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
    _event(locked, action, from_status, actor, reason)
    audit.record(
        f"licence.{action}",
        actor=actor,
        obj=locked,
        detail={"from": from_status, "to": to_status, "reason": reason[:300]},
    )
    _notify(
        locked.holder_user_id,
        f"您的{locked.licence_type.name}状态变为“{locked.get_status_display()}”",
        f"{describe(locked)}：{reason}" if reason else describe(locked),
        f"/licences/{locked.public_id}/",
    )
    return locked


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(LicenceErrorCode.INVALID_DATA, "请填写原因", {"reason": ["必填"]})
    return reason


def revoke_licence(licence: Licence, *, actor: User, reason: str) -> Licence:
    """注销 with a reason; verification shows it revoked at once."""
    _require_issuer_staff(actor, licence)
    reason = _reason(reason)
    with transaction.atomic():
        return _set_status(
            licence,
            {LicenceStatus.VALID, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED},
            LicenceStatus.REVOKED,
            "revoke",
            actor,
            reason,
        )


def suspend_licence(licence: Licence, *, actor: User, reason: str) -> Licence:
    """暂停 (e.g. during an investigation)."""
    _require_issuer_staff(actor, licence)
    reason = _reason(reason)
    with transaction.atomic():
        return _set_status(licence, {LicenceStatus.VALID}, LicenceStatus.SUSPENDED, "suspend", actor, reason)


def resume_licence(licence: Licence, *, actor: User, reason: str = "") -> Licence:
    """恢复 a suspended licence."""
    _require_issuer_staff(actor, licence)
    with transaction.atomic():
        return _set_status(
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
            _set_status(
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
    _require_issuer_staff(actor, licence)
    reason = _reason(reason)
    if licence.imported or licence.issuer is None:
        raise Conflict("外省市签发的证照须由原发证机关变更", code=LicenceErrorCode.INVALID_TRANSITION)
    merged = {**licence.data, **(data or {})}
    cleaned = validate_data(licence.licence_type, merged)
    seal = issuing_seal(licence.issuer)
    with transaction.atomic():
        old = _set_status(
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
            licence_type=old.licence_type,
            identifier=make_identifier(old.licence_type.code, old.issuer_code, old.serial, old.version + 1),
            serial=old.serial,
            version=old.version + 1,
            previous=old,
            holder_name=(holder_name or old.holder_name).strip(),
            holder_code=old.holder_code,
            holder_code_type=old.holder_code_type,
            holder_user=old.holder_user,
            issuer=old.issuer,
            issuer_name=old.issuer_name,
            issuer_code=old.issuer_code,
            region_code=old.region_code,
            data=cleaned,
            issued_on=today,
            valid_from=old.valid_from,
            valid_until=old.valid_until,
            seal=seal,
            source_case=old.source_case,
        )
        _stamp_and_store(new, seal)
        _event(new, "change", "", actor, reason)
        audit.record(
            "licence.change",
            actor=actor,
            obj=new,
            detail={"previous": old.identifier, "identifier": new.identifier, "reason": reason[:300]},
        )
    return new


# --- import of licences issued elsewhere (外省市证照导入) -------------------------------------------
@dataclass
class ImportRecord:
    identifier: str
    type_code: str
    holder_name: str
    holder_code: str
    holder_code_type: str
    issuer_name: str
    issuer_code: str
    issued_on: str
    valid_until: str | None
    data: dict[str, Any]
    pdf: bytes
    region_code: str = ""
    source_platform: str = ""


def _import_one(
    index: int, raw: Any, errors: dict[str, list[str]]
) -> tuple[ImportRecord, LicenceType, seal_services.VerificationReport] | None:
    prefix = f"records.{index}"

    def err(name: str, message: str) -> None:
        errors.setdefault(f"{prefix}.{name}", []).append(message)

    if not isinstance(raw, dict):
        err("__all__", "应为对象")
        return None
    for name in (
        "identifier",
        "type_code",
        "holder_name",
        "holder_code",
        "issuer_name",
        "issuer_code",
        "issued_on",
        "pdf",
    ):
        if not str(raw.get(name) or "").strip():
            err(name, "必填")
    if any(key.startswith(prefix + ".") for key in errors):
        return None
    try:
        parsed = parse_identifier(str(raw["identifier"]))
    except IdentifierError as exc:
        err("identifier", exc.message)
        return None
    licence_type = LicenceType.objects.filter(code=str(raw["type_code"]).upper()).first()
    if licence_type is None:
        err("type_code", "证照类型不在本平台证照目录中")
        return None
    if parsed.type_code != licence_type.code:
        err("identifier", "标识中的证照类型代码与 type_code 不一致")
    if parsed.issuer_code != str(raw["issuer_code"]).upper():
        err("identifier", "标识中的颁发机构代码与 issuer_code 不一致")
    if Licence.objects.filter(identifier=str(parsed)).exists():
        err("identifier", "该证照已在本平台")
    try:
        issued_on = date.fromisoformat(str(raw["issued_on"]))
        valid_until = date.fromisoformat(str(raw["valid_until"])) if raw.get("valid_until") else None
    except ValueError:
        err("issued_on", "日期格式应为 YYYY-MM-DD")
        return None
    try:
        data = validate_data(licence_type, raw.get("data") or {})
    except DomainError as exc:
        for name, messages in exc.fields.items():
            for message in messages:
                err(f"data.{name}", str(message))
        return None
    pdf = raw["pdf"] if isinstance(raw["pdf"], bytes) else None
    if pdf is None:
        import base64
        import binascii

        try:
            pdf = base64.b64decode(str(raw["pdf"]), validate=True)
        except (binascii.Error, ValueError):
            err("pdf", "PDF 应为 base64 编码")
            return None
    report = seal_services.verify_pdf(pdf)
    if not report.ok:
        detail = report.error or "；".join(
            f"{s.signer}：{'完整' if s.intact else '被篡改'}、{'可信' if s.trusted else '不可信（CA 未导入）'}{'、已吊销' if s.revoked else ''}"
            for s in report.signatures
        )
        err("pdf", f"电子签章验证未通过：{detail}")
        return None
    record = ImportRecord(
        identifier=str(parsed),
        type_code=licence_type.code,
        holder_name=str(raw["holder_name"]).strip(),
        holder_code=str(raw["holder_code"]).strip().upper(),
        holder_code_type=str(raw.get("holder_code_type") or HolderCodeType.ID_CARD),
        issuer_name=str(raw["issuer_name"]).strip(),
        issuer_code=str(raw["issuer_code"]).strip().upper(),
        issued_on=issued_on.isoformat(),
        valid_until=valid_until.isoformat() if valid_until else None,
        data=data,
        pdf=pdf,
        region_code=str(raw.get("region_code") or ""),
        source_platform=str(raw.get("source_platform") or ""),
    )
    if record.holder_code_type not in HolderCodeType.values:
        err("holder_code_type", f"应为：{'、'.join(HolderCodeType.values)}")
        return None
    return record, licence_type, report


def import_licences(records: list[Any], *, actor: User | None = None, source: str = "") -> list[Licence]:
    """导入 Licences issued on other platforms, all or nothing.

    Each record is validated (identifier and check character, schema, the PDF's seal verified
    against the trusted CAs, including imported ones); any error aborts the whole batch with the
    errors by record and field (``records.<n>.<field>``).  The data record is kept as received and
    signed here by nobody: its integrity rests on the PDF's seal, so imported licences carry the
    PDF hash and the import audit record.
    """
    if actor is not None and not staff_roles(actor) & {"admin"}:
        raise PermissionDenied("只有系统管理员可以导入证照", code=LicenceErrorCode.ROLE_REQUIRED)
    if not isinstance(records, list) or not records:
        raise DomainError(
            LicenceErrorCode.IMPORT_INVALID, "导入文件中没有证照记录", {"records": ["应为非空列表"]}
        )
    errors: dict[str, list[str]] = {}
    prepared = []
    seen: set[str] = set()
    for index, raw in enumerate(records):
        result = _import_one(index, raw, errors)
        if result is not None:
            if result[0].identifier in seen:
                errors.setdefault(f"records.{index}.identifier", []).append("与本批次其他记录重复")
            seen.add(result[0].identifier)
            prepared.append(result)
    if errors:
        raise DomainError(
            LicenceErrorCode.IMPORT_INVALID,
            f"导入未完成：{len({k.split('.')[1] for k in errors})} 条记录有误，全部未导入",
            errors,
        )
    created = []
    with transaction.atomic():
        for record, licence_type, report in prepared:
            parsed = parse_identifier(record.identifier)
            issued_on = date.fromisoformat(record.issued_on)
            licence = Licence(
                licence_type=licence_type,
                identifier=record.identifier,
                serial=parsed.serial,
                version=parsed.version,
                holder_name=record.holder_name,
                holder_code=record.holder_code,
                holder_code_type=record.holder_code_type,
                holder_user=_holder_user_for(record.holder_code),
                issuer=Organisation.objects.filter(credit_code=record.issuer_code).first(),
                issuer_name=record.issuer_name,
                issuer_code=record.issuer_code,
                region_code=record.region_code,
                data=record.data,
                issued_on=issued_on,
                valid_from=issued_on,
                valid_until=date.fromisoformat(record.valid_until) if record.valid_until else None,
                imported=True,
                source_platform=record.source_platform or source,
                document_sha256=hashlib.sha256(record.pdf).hexdigest(),
            )
            licence.record_json = canonical_json(record_of(licence))
            licence.save()
            licence.document.save(f"{licence.public_id.hex}.pdf", ContentFile(record.pdf), save=False)
            licence.save(update_fields=["document", "updated_at"])
            _event(licence, "import", "", actor, source)
            audit.record(
                "licence.import",
                actor=actor,
                obj=licence,
                detail={
                    "identifier": licence.identifier,
                    "source": licence.source_platform,
                    "signer": report.signatures[0].signer if report.signatures else "",
                },
            )
            created.append(licence)
    return created


def verify_imported_record(licence: Licence) -> bool:
    """Imported licences have no platform data signature: the record must still be the one stored
    at import, and the PDF must still be the one whose seal was verified."""
    return canonical_json(record_of(licence)) == licence.record_json and bool(licence.document_sha256)


def data_ok(licence: Licence) -> bool:
    return verify_imported_record(licence) if licence.imported else verify_data_record(licence)


# --- issuance with the case result (办结出证) ----------------------------------------------------
_CASE_HOLDER_CODE_TYPES = {
    "身份证": HolderCodeType.ID_CARD,
    "居民身份证": HolderCodeType.ID_CARD,
    "统一社会信用代码": HolderCodeType.CREDIT_CODE,
    "护照": HolderCodeType.PASSPORT,
}


def licence_type_for_item(item: Any) -> LicenceType | None:
    """The licence type an item's approval yields (``ServiceItem.result_licence_type_code``)."""
    code = (getattr(item, "result_licence_type_code", "") or "").strip().upper()
    if not code:
        return None
    return LicenceType.objects.filter(code=code, is_active=True).first()


def _legal_representative(case: Any) -> str:
    """法定代表人（负责人）: a company's registered legal representative, never the company's own
    name; a natural person (e.g. 个体工商户经营者) is his own."""
    legal = getattr(case.applicant, "legal_person", None) if case.applicant_id else None
    if legal is not None:
        representative = getattr(legal, "legal_representative", None)
        return str(getattr(representative, "real_name", "") or "")
    return str(case.applicant_name)


def case_licence_data(licence_type: LicenceType, case: Any) -> dict[str, Any]:
    """Build the licence data from the case: a form field of the same name wins, then the form
    fields the type's ``template["case_fields"]`` names for it (``{field: [form field, ...]}``);
    otherwise the well-known names take the case number, the item, the applicant, the handling body,
    then the type's ``template["case_defaults"]`` (``{field: value}``), and a date field takes the
    completion date.  Only the type's fields are kept."""
    completed = timezone.localdate(case.completed_at) if case.completed_at else timezone.localdate()
    defaults: dict[str, Any] = {
        "number": case.number,
        "case_number": case.number,
        "item": case.item.name,
        "item_name": case.item.name,
        "holder": case.applicant_name,
        "holder_name": case.applicant_name,
        "applicant_name": case.applicant_name,
        "name": case.applicant_name,
        "legal_representative": _legal_representative(case),
        "issuer": case.handling_organisation.name,
        "handling_organisation": case.handling_organisation.name,
    }
    form = case.form_data or {}
    sources = licence_type.template.get("case_fields") or {}
    constants = licence_type.template.get("case_defaults") or {}
    data: dict[str, Any] = {}
    for spec in licence_type.fields:
        name = spec["name"]
        value = form.get(name)
        for alias in sources.get(name, []):
            if value not in (None, ""):
                break
            value = form.get(alias)
        if value in (None, ""):
            value = defaults.get(name)
        if value in (None, ""):
            value = constants.get(name)
        if value in (None, "") and spec["type"] == "date":
            value = completed.isoformat()
        if value in (None, "") and spec["type"] == "choice" and len(spec.get("choices", [])) == 1:
            value = spec["choices"][0]
        if value not in (None, ""):
            data[name] = value
    return data


def issue_for_case(case: Any) -> Licence | None:
    """办结出证 Issue the e-licence a completed, approved case yields, stamped with the handling
    body's seal; ``None`` when the case yields none.  Idempotent: one licence per case (the case row
    is locked while checking)."""
    from yiwang.cases.models import Case, CaseOutcome, CaseStatus

    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("item", "handling_organisation", "applicant")
            .get(pk=case.pk)
        )
        if locked.status != CaseStatus.COMPLETED or locked.outcome != CaseOutcome.APPROVED:
            return None
        licence_type = licence_type_for_item(locked.item)
        if licence_type is None:
            return None
        existing = Licence.objects.filter(source_case=locked).order_by("pk").first()
        if existing is not None:
            return existing
        completed = timezone.localdate(locked.completed_at) if locked.completed_at else None
        return issue_licence(
            licence_type,
            holder_name=locked.applicant_name,
            holder_code=locked.applicant_id_number,
            holder_code_type=_CASE_HOLDER_CODE_TYPES.get(locked.applicant_id_type, HolderCodeType.OTHER),
            issuer=locked.handling_organisation,
            data=case_licence_data(licence_type, locked),
            holder_user=locked.applicant,
            source_case=locked,
            issued_on=completed,
        )
