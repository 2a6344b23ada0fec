"""Verification of stamped PDFs: integrity, validity, trust chain and revocation of every signature."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from yiwang.seals import ca
from yiwang.seals.models import (
    AuthorityKind,
    CertificateAuthority,
    RevokedCertificate,
    Seal,
)
from yiwang.seals.services.authority import (
    crl_der,
)


# --- verification --------------------------------------------------------------------------------
@dataclass
class SignatureReport:
    field_name: str
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    covers_whole_document: bool
    signer: str
    signed_at: datetime | None
    seal_id: str | None = None
    seal_name: str = ""
    organisation: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.revoked


@dataclass
class VerificationReport:
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and not self.error and all(s.ok for s in self.signatures)


def validation_context() -> ValidationContext:
    trusted = CertificateAuthority.objects.filter(is_trusted=True)
    roots, others, crls = [], [], []
    for authority in trusted:
        cert = asn1_x509.Certificate.load(
            ca.load_pem(authority.certificate_pem).public_bytes(serialization.Encoding.DER)
        )
        if authority.kind in (AuthorityKind.ROOT, AuthorityKind.EXTERNAL):
            roots.append(cert)
        else:
            others.append(cert)
        if authority.private_key_encrypted:
            crls.append(crl_der(authority))
    return ValidationContext(
        trust_roots=roots, other_certs=others, crls=crls, allow_fetching=False, revocation_mode="soft-fail"
    )


def verify_pdf(data: bytes) -> VerificationReport:
    """Check every signature: integrity, cryptographic validity, trust chain and revocation."""
    if not data.startswith(b"%PDF"):
        return VerificationReport(error="不是 PDF 文件")
    try:
        reader = PdfFileReader(io.BytesIO(data))
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError) as exc:
        return VerificationReport(error=f"PDF 无法解析：{str(exc)[:200]}")
    if not embedded:
        return VerificationReport(error="文件中没有电子签章")
    context = validation_context()
    revoked_serials = set(RevokedCertificate.objects.values_list("serial", flat=True))
    report = VerificationReport()
    for signature in embedded:
        status = validate_pdf_signature(signature, context)
        cert = signature.signer_cert
        serial = f"{cert.serial_number:x}"
        seal = Seal.objects.select_related("organisation").filter(certificate_serial=serial).first()
        report.signatures.append(
            SignatureReport(
                field_name=signature.field_name,
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                revoked=serial in revoked_serials or bool(getattr(status, "revoked", False)),
                covers_whole_document=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
                signer=cert.subject.human_friendly,
                signed_at=status.signer_reported_dt,
                seal_id=str(seal.public_id) if seal else None,
                seal_name=seal.name if seal else "",
                organisation=seal.organisation.name if seal else "",
            )
        )
    return report
