"""The signed data record, the stamped document and the status of a licence: the building blocks
the use cases share (signing, layout, events, holder messages, effective status, data checks)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.accounts.inbox import post_inbox_message
from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.crypto import decrypt_secret
from yiwang.core.errors import Conflict
from yiwang.core.masking import mask_id_number as mask_id_number  # 证件号码脱敏, re-exported
from yiwang.core.public_url import public_url
from yiwang.licences import sm2
from yiwang.licences.documents import SEAL_BOX, LicenceLayout, render_licence_pdf
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.models import (
    Licence,
    LicenceEvent,
    LicenceStatus,
)
from yiwang.seals import services as seal_services
from yiwang.seals.models import Seal, SealStatus

ISSUE_REASON = "电子证照签发"


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


def sign_with_seal(seal: Seal, data: bytes) -> str:
    """SM2-with-SM3 with the seal's key; same result format as ``seals.services.sign_record``."""
    if seal.status != SealStatus.ISSUED or not seal.sm2_private_key_encrypted:
        raise Conflict("印章不可用", code=LicenceErrorCode.NO_SEAL)
    private_hex = decrypt_secret(seal.sm2_private_key_encrypted, seal_services.SM2_PURPOSE).decode()
    return sm2.sign(private_hex, data, public_key_hex=seal.sm2_public_key)


def verify_url(identifier: str) -> str:
    return public_url(f"/verify/{identifier}/")


def licence_layout(licence: Licence) -> LicenceLayout:
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


def notify_holder(user_id: int | None, title: str, body: str, link: str) -> None:
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


def record_event(
    licence: Licence,
    action: str,
    from_status: str,
    actor: User | None,
    reason: str = "",
    *,
    detail: dict[str, Any],
) -> None:
    """The licence's immutable event and its audit record ``licence.<action>`` with ``detail``."""
    LicenceEvent.objects.create(
        licence=licence,
        action=action,
        from_status=from_status,
        to_status=licence.status,
        actor=actor,
        reason=reason[:500],
        occurred_at=timezone.now(),
    )
    audit.record(f"licence.{action}", actor=actor, obj=licence, detail=detail)


def stamp_and_store(licence: Licence, seal: Seal) -> None:
    """Render, stamp and sign ``licence`` (already saved, inside the caller's transaction)."""
    licence.record_json = canonical_json(record_of(licence))
    licence.data_signature = sign_with_seal(seal, licence.record_json.encode())
    licence.signer_public_key = seal.sm2_public_key
    signed = seal_services.stamp_pdf(
        seal,
        render_licence_pdf(licence_layout(licence)),
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


def holder_user_for(holder_code: str) -> User | None:
    return (
        User.objects.filter(
            Q(natural_person__id_number=holder_code) | Q(legal_person__credit_code=holder_code)
        )
        .order_by("pk")
        .first()
    )


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


def document_bytes(licence: Licence) -> bytes:
    if not licence.document:
        return b""
    with licence.document.open("rb") as handle:
        return handle.read()


def verify_imported_record(licence: Licence) -> bool:
    """Imported licences have no platform data signature: the record must still be the one stored
    at import, and the PDF must still be the one whose seal was verified."""
    return canonical_json(record_of(licence)) == licence.record_json and bool(licence.document_sha256)


def data_ok(licence: Licence) -> bool:
    return verify_imported_record(licence) if licence.imported else verify_data_record(licence)
