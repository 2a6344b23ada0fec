"""Stamping (加盖电子印章): which seal a body's documents carry, PAdES signatures with the visible seal,
and SM2 signatures over data records."""

from __future__ import annotations

import hashlib
import io
import tempfile
import uuid
from collections.abc import Iterable

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image
from pyhanko.pdf_utils.content import ImportedPdfPage
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.crypto import decrypt_secret, sm2_sign, sm2_verify
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.seals import ca
from yiwang.seals.errors import SealErrorCode
from yiwang.seals.models import (
    Seal,
    SealAuthorisation,
    SealType,
    StampRecord,
)
from yiwang.seals.services.permissions import (
    SM2_PURPOSE,
    USABLE_STATUSES,
)


# --- stamping ------------------------------------------------------------------------------------
def may_stamp(seal: Seal, user: User) -> bool:
    now = timezone.now()
    return (
        SealAuthorisation.objects.filter(seal=seal, user=user, revoked_at__isnull=True)
        .exclude(valid_until__lt=now)
        .exists()
    )


# Which seal a body's documents carry: decisions and notices (文书) prefer the 行政审批专用章,
# licences (证照) the 证照专用章; the 公章 serves when there is no special seal.
DOCUMENT_SEAL_PREFERENCE = (SealType.ADMINISTRATIVE_APPROVAL, SealType.OFFICIAL)
LICENCE_SEAL_PREFERENCE = (SealType.CERTIFICATE, SealType.ADMINISTRATIVE_APPROVAL, SealType.OFFICIAL)


def organisation_seal(
    organisation: Organisation | int, preference: Iterable[str] = DOCUMENT_SEAL_PREFERENCE
) -> Seal | None:
    """The usable seal (issued, with its key) of ``organisation`` first in ``preference``, or None."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    wanted = list(preference)
    seals = list(
        Seal.objects.filter(organisation_id=org_id, status__in=USABLE_STATUSES, seal_type__in=wanted)
        .exclude(private_key_encrypted="")
        .select_related("organisation", "issuer__parent")
    )
    for kind in wanted:
        for seal in seals:
            if seal.seal_type == kind:
                return seal
    return None


def document_seal_required() -> bool:
    """Whether notices and decisions must carry the body's e-seal (``YIWANG_REQUIRE_DOCUMENT_SEAL``)."""
    return bool(getattr(settings, "YIWANG_REQUIRE_DOCUMENT_SEAL", True))


def missing_document_seal_message(organisation: Organisation) -> str:
    return (
        f"“{organisation.name}”没有可用的行政审批专用章或公章，不能出具加盖电子印章的文书"
        "（受理通知书、决定书等）。请先申请并启用电子印章。"
    )


def lacks_document_seal(organisation: Organisation) -> bool:
    """True when ``organisation`` could not issue a notice or decision now (no usable seal while
    seals are required): the workbench warns before anyone tries to accept or decide."""
    return document_seal_required() and organisation_seal(organisation) is None


def require_document_seal(organisation: Organisation) -> Seal | None:
    """The seal for ``organisation``'s notices and decisions; a 409 ``seal_no_document_seal`` when it
    has none and seals are required (never a silently unsigned document), None when not required."""
    seal = organisation_seal(organisation)
    if seal is None and document_seal_required():
        raise Conflict(missing_document_seal_message(organisation), code=SealErrorCode.NO_DOCUMENT_SEAL)
    return seal


# Space reserved for the CMS signature in /Contents (bytes; written as hex, so twice this in the
# file).  Fixed so pyHanko signs once instead of signing a dummy first to estimate the size: the
# seal certificate, its CA chain (at most two CAs) and the signed attributes take about 4 KB.
SIGNATURE_BYTES_RESERVED = 16384


def signer_for(seal: Seal) -> signers.SimpleSigner:
    issuer = seal.issuer
    assert issuer is not None
    chain = [ca.load_pem(issuer.certificate_pem)]
    if issuer.parent is not None:
        chain.append(ca.load_pem(issuer.parent.certificate_pem))
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(
            ca.load_pem(seal.certificate_pem).public_bytes(serialization.Encoding.DER)
        ),
        signing_key=asn1_keys.PrivateKeyInfo.load(ca.key_der(seal.private_key_encrypted)),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in chain]
        ),
    )


def stamp_pdf(
    seal: Seal,
    pdf: bytes,
    *,
    user: User | None,
    reason: str,
    reference: str = "",
    box: tuple[int, int, int, int] = (400, 60, 540, 200),
    page: int = -1,
    system: bool = False,
) -> bytes:
    """加盖电子印章: PAdES signature with the visible seal; logged with the document's hashes.

    ``system=True`` is the platform stamping on the organisation's behalf (e.g. licences issued with a
    case result); otherwise the user needs a current authorisation for the seal.
    """
    seal = Seal.objects.select_related("organisation", "issuer__parent").get(pk=seal.pk)
    if seal.status not in USABLE_STATUSES or not seal.private_key_encrypted:
        raise Conflict(
            f"印章“{seal.name}”状态为“{seal.get_status_display()}”，不能用印",
            code=SealErrorCode.SEAL_NOT_USABLE,
        )
    if not system and (user is None or not may_stamp(seal, user)):
        audit.record("seal.stamp_refused", actor=user, obj=seal, detail={"reason": reason[:200]})
        raise PermissionDenied("您未获得该印章的用印授权", code=SealErrorCode.NOT_AUTHORISED)
    if not pdf.startswith(b"%PDF"):
        raise DomainError(SealErrorCode.INVALID_PDF, "待用印文件不是 PDF", {"file": ["须为 PDF"]})
    document_sha256 = hashlib.sha256(pdf).hexdigest()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    except (PdfError, ValueError, KeyError) as exc:
        raise DomainError(SealErrorCode.INVALID_PDF, "PDF 文件无法解析", {"file": [str(exc)[:200]]}) from exc
    field_name = f"Seal_{uuid.uuid4().hex[:12]}"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as appearance:
        appearance.write(seal.appearance_pdf.open("rb").read())
        appearance.flush()
        background = (
            PdfImage(seal_image(seal))
            if seal.image
            else ImportedPdfPage(appearance.name)  # uploaded image wins
        )
        page_count = int(writer.root["/Pages"]["/Count"])
        pdf_signer = signers.PdfSigner(
            signers.PdfSignatureMetadata(
                field_name=field_name,
                reason=reason[:200],
                location=seal.organisation.name,
                subfilter=fields.SigSeedSubFilter.PADES,
                md_algorithm="sha256",
            ),
            signer=signer_for(seal),
            stamp_style=StaticStampStyle(background=background, border_width=0, background_opacity=1.0),
            new_field_spec=fields.SigFieldSpec(
                sig_field_name=field_name, on_page=page if page >= 0 else page_count - 1, box=box
            ),
        )
        output = pdf_signer.sign_pdf(writer, bytes_reserved=SIGNATURE_BYTES_RESERVED)
    signed = output.getvalue()
    with transaction.atomic():
        StampRecord.objects.create(
            public_id=uuid.uuid4(),
            seal=seal,
            user=user,
            document_sha256=document_sha256,
            signed_sha256=hashlib.sha256(signed).hexdigest(),
            reason=reason[:300],
            reference=reference[:100],
            stamped_at=timezone.now(),
        )
        audit.record(
            "seal.stamp",
            actor=user,
            obj=seal,
            detail={
                "document_sha256": document_sha256,
                "reason": reason[:200],
                "reference": reference,
                "system": system,
            },
        )
    return signed


def seal_image(seal: Seal):  # type: ignore[no-untyped-def]
    return Image.open(io.BytesIO(seal.image.open("rb").read()))


def sign_record(seal: Seal, data: bytes) -> str:
    """SM2-with-SM3 signature over a data record (e.g. a licence's canonical JSON)."""
    if seal.status not in USABLE_STATUSES or not seal.sm2_private_key_encrypted:
        raise Conflict("印章不可用", code=SealErrorCode.SEAL_NOT_USABLE)
    private_hex = decrypt_secret(seal.sm2_private_key_encrypted, SM2_PURPOSE).decode()
    return sm2_sign(private_hex, data)


def verify_record(seal: Seal, data: bytes, signature_hex: str) -> bool:
    return bool(seal.sm2_public_key) and sm2_verify(seal.sm2_public_key, signature_hex, data)
