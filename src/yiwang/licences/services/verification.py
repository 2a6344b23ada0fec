"""Verification (核验): by identifier or by an uploaded PDF; read-only, status computed at request time."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db.models import QuerySet
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from yiwang.core.compiled import CompiledRows
from yiwang.core.errors import NotFound
from yiwang.licences import sm2
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.identifiers import IdentifierError, parse_identifier
from yiwang.licences.models import (
    Licence,
    LicenceStatus,
    LicenceType,
)
from yiwang.licences.services.records import (
    canonical_json,
    document_bytes,
    effective_status,
    mask_id_number,
    record_of,
    status_label,
    verify_imported_record,
)
from yiwang.seals import services as seal_services


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


@lru_cache(maxsize=2048)
def signature_verifies(public_key: str, signature: str, record: str) -> bool:
    """SM2 verification of a record, remembered per process: a pure function of its three inputs
    (the exact record text, signature and key are the cache key), so a repeated verification of the
    same licence costs a dictionary look-up instead of two scalar multiplications."""
    return sm2.verify(public_key, signature, record.encode())


def record_ok(licence: Licence) -> bool:
    """:func:`~yiwang.licences.services.records.data_ok`, with the signature check remembered."""
    if licence.imported:
        return verify_imported_record(licence)
    record = canonical_json(record_of(licence))
    return (
        record == licence.record_json
        and bool(licence.signer_public_key)
        and signature_verifies(licence.signer_public_key, licence.data_signature, record)
    )


def verification_of(licence: Licence, today: date | None = None) -> LicenceVerification:
    status = effective_status(licence, today)
    return LicenceVerification(
        licence=licence,
        status=status,
        status_label=status_label(status),
        current=status == LicenceStatus.VALID,
        data_ok=record_ok(licence),
    )


def verified_queryset() -> QuerySet[Licence]:
    # Only the type is joined: the record carries the issuer's name and code itself.
    return Licence.objects.select_related("licence_type").order_by()


_LICENCE_COLUMNS = tuple(f.attname for f in Licence._meta.concrete_fields)
_TYPE_COLUMNS = tuple(f.attname for f in LicenceType._meta.concrete_fields)
_BY_IDENTIFIER = CompiledRows("licences.by_identifier")


def by_identifier_compiled() -> CompiledRows:
    """The compiled look-up by identifier (tests and checks look at its shapes)."""
    return _BY_IDENTIFIER


def licence_by_identifier(identifier: str) -> Licence | None:
    """The licence (with its type) with this normalised identifier: one statement compiled once per
    process (:mod:`yiwang.core.compiled`) — the public verification is the licence store's hottest
    read; the instances are built from the row as the ORM builds them (``from_db``)."""
    rows = _BY_IDENTIFIER.rows(
        lambda: (
            Licence.objects.filter(identifier=identifier)
            .order_by()
            .values_list(*_LICENCE_COLUMNS, *(f"licence_type__{name}" for name in _TYPE_COLUMNS))
        ),
        "one",
        {"identifier": identifier},
    )
    if not rows:
        return None
    row = rows[0]
    split = len(_LICENCE_COLUMNS)
    licence = Licence.from_db(Licence.objects.db, list(_LICENCE_COLUMNS), list(row[:split]))
    licence.licence_type = LicenceType.from_db(Licence.objects.db, list(_TYPE_COLUMNS), list(row[split:]))
    return licence


def verify_identifier(identifier: str, *, check_document: bool = False) -> LicenceVerification:
    """Verify by identifier: status, data signature and, on request, the stored PDF's seal."""
    normalised = str(parse_identifier(identifier))
    licence = licence_by_identifier(normalised)
    if licence is None:
        raise NotFound("未找到该电子证照", code=LicenceErrorCode.NOT_FOUND)
    result = verification_of(licence)
    if check_document:
        report = seal_services.verify_pdf(document_bytes(licence))
        result.signatures = report.signatures
        result.signature_ok = report.ok
        result.document_matches = True
    return result


def verify_document(pdf: bytes) -> LicenceVerification:
    """Verify an uploaded licence PDF: its seals, and that it is the document issued for a licence
    (same SHA-256, or its signed revision is), then that licence's status and data."""
    report = seal_services.verify_pdf(pdf)
    if report.error:
        return LicenceVerification(
            licence=None, signature_ok=False, error=report.error, signatures=report.signatures
        )
    digest = hashlib.sha256(pdf).hexdigest()
    licence = verified_queryset().filter(document_sha256=digest).first()
    matches = licence is not None
    if licence is None:
        licence = licence_from_pdf(pdf)
    if licence is None:
        return LicenceVerification(
            licence=None,
            signature_ok=report.ok,
            signatures=report.signatures,
            document_matches=False,
            error="未找到与该文件对应的电子证照",
        )
    result = verification_of(licence)
    result.signatures = report.signatures
    result.signature_ok = report.ok
    result.document_matches = matches
    if not matches:
        result.error = "文件与签发的电子证照不一致"
    return result


def licence_from_pdf(pdf: bytes) -> Licence | None:
    """The licence named in the PDF's metadata (Subject = identifier), if any."""
    try:
        metadata = PdfReader(io.BytesIO(pdf)).metadata
        subject = str(metadata.get("/Subject", "")) if metadata is not None else ""
    except (PyPdfError, ValueError, KeyError):
        return None
    try:
        identifier = str(parse_identifier(subject))
    except IdentifierError:
        return None
    return licence_by_identifier(identifier)
