"""Import of licences issued on other platforms (外省市证照导入), all or nothing."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.identifiers import IdentifierError, parse_identifier
from yiwang.licences.models import (
    HolderCodeType,
    Licence,
    LicenceType,
)
from yiwang.licences.services.catalogue import (
    validate_data,
)
from yiwang.licences.services.records import (
    canonical_json,
    holder_user_for,
    record_event,
    record_of,
)
from yiwang.seals import services as seal_services

# --- import of licences issued elsewhere (外省市证照导入) -------------------------------------------
#: The fields of an imported licence kept as the other platform sent them.
KEPT_AS_RECEIVED = (
    "identifier",
    "holder_name",
    "holder_code",
    "holder_code_type",
    "issuer_name",
    "issuer_code",
    "region_code",
    "data",
)


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


def prepare_import_record(
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
        result = prepare_import_record(index, raw, errors)
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
                **{name: getattr(record, name) for name in KEPT_AS_RECEIVED},
                licence_type=licence_type,
                serial=parsed.serial,
                version=parsed.version,
                holder_user=holder_user_for(record.holder_code),
                issuer=Organisation.objects.filter(credit_code=record.issuer_code).first(),
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
            signer = report.signatures[0].signer if report.signatures else ""
            detail = {"identifier": licence.identifier, "source": licence.source_platform, "signer": signer}
            record_event(licence, "import", "", actor, source, detail=detail)
            created.append(licence)
    return created
