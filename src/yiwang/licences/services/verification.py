"""Verification (核验): by identifier or by an uploaded PDF; read-only, status computed at request time."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from yiwang.core.errors import NotFound
from yiwang.licences.errors import LicenceErrorCode
from yiwang.licences.identifiers import IdentifierError, parse_identifier
from yiwang.licences.models import (
    Licence,
    LicenceStatus,
)
from yiwang.licences.services.records import (
    data_ok,
    document_bytes,
    effective_status,
    mask_id_number,
    status_label,
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


def verification_of(licence: Licence, today: date | None = None) -> LicenceVerification:
    status = effective_status(licence, today)
    return LicenceVerification(
        licence=licence,
        status=status,
        status_label=status_label(status),
        current=status == LicenceStatus.VALID,
        data_ok=data_ok(licence),
    )


def verified_queryset() -> QuerySet[Licence]:
    # Only the type is joined: the record carries the issuer's name and code itself.
    return Licence.objects.select_related("licence_type").order_by()


def verify_identifier(identifier: str, *, check_document: bool = False) -> LicenceVerification:
    """Verify by identifier: status, data signature and, on request, the stored PDF's seal."""
    normalised = str(parse_identifier(identifier))
    licence = verified_queryset().filter(identifier=normalised).first()
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
    return verified_queryset().filter(identifier=identifier).first()
