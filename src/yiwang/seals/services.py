"""E-seal services: the platform CA, the seal lifecycle, stamping PDFs (PAdES) and verifying them.

Lifecycle (印章生命周期): apply → review → make → file (备案) → issue → (authorise users) → report loss
→ destroy.  Every step is an immutable :class:`SealEvent` plus an audit record; losing or destroying
a seal revokes its certificate, which the CRL and verification reflect at once.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.content import ImportedPdfPage
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core import audit
from yiwang.core.crypto import decrypt_secret, encrypt_secret, sm2_generate_keypair, sm2_sign, sm2_verify
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.seals import ca
from yiwang.seals.appearance import render_seal_pdf
from yiwang.seals.errors import SealErrorCode
from yiwang.seals.models import (
    AuthorityKind,
    CertificateAuthority,
    RevokedCertificate,
    Seal,
    SealAuthorisation,
    SealEvent,
    SealStatus,
    SealType,
    StampRecord,
)

PLATFORM_ORGANISATION = "一网政务服务平台"
SM2_PURPOSE = "seal-sm2-key"
USABLE_STATUSES = {SealStatus.ISSUED}
SEAL_ADMIN_ROLES = {"admin"}
SEAL_APPLICANT_ROLES = {"admin", "service_manager"}


# --- the platform CA -----------------------------------------------------------------------------
def public_base_url() -> str:
    """The platform's public address (``YIWANG_PUBLIC_URL``, by default ``http://127.0.0.1:$PORT``)."""
    from yiwang.core.public_url import public_base_url as base

    return base()


def publication_links(level: str) -> ca.PublicationLinks:
    """Where the platform CA at ``level`` (``root`` or ``issuing``) publishes its CRL and certificate:
    /pki/ on the public address; certificates it issues carry these URLs."""
    base = public_base_url()
    return ca.PublicationLinks(
        crl_url=base + reverse("pki:file", kwargs={"name": level, "extension": "crl"}),
        issuer_url=base + reverse("pki:file", kwargs={"name": level, "extension": "crt"}),
    )


def ensure_platform_ca() -> CertificateAuthority:
    """Create the root and issuing (intermediate) CA once; return the issuing CA of seal certificates."""
    with transaction.atomic():
        intermediate = (
            CertificateAuthority.objects.select_for_update()
            .filter(kind=AuthorityKind.INTERMEDIATE, is_trusted=True)
            .first()
        )
        if intermediate is not None:
            _refresh_links(intermediate)
            return intermediate
        root_issued = ca.make_root("一网平台根 CA", PLATFORM_ORGANISATION)
        root = CertificateAuthority.objects.create(
            name="一网平台根 CA",
            kind=AuthorityKind.ROOT,
            certificate_pem=root_issued.certificate_pem,
            private_key_encrypted=root_issued.encrypted_key,
            fingerprint_sha256=ca.fingerprint(root_issued.certificate),
        )
        issued = ca.issue(
            root_issued.certificate,
            root_issued.private_key,
            common_name="一网平台电子印章 CA",
            organisation=PLATFORM_ORGANISATION,
            is_ca=True,
            years=10,
            links=publication_links("root"),
        )
        intermediate = CertificateAuthority.objects.create(
            name="一网平台电子印章 CA",
            kind=AuthorityKind.INTERMEDIATE,
            parent=root,
            certificate_pem=issued.certificate_pem,
            private_key_encrypted=issued.encrypted_key,
            fingerprint_sha256=ca.fingerprint(issued.certificate),
        )
        audit.record("seal.ca_created", obj=intermediate, detail={"root": root.fingerprint_sha256})
    return intermediate


def _refresh_links(intermediate: CertificateAuthority) -> None:
    """Re-certify the issuing CA (same name and key) when its certificate lacks the root's current
    /pki/ links (a CA made before they existed, or a new public address).  Certificates it issued
    keep chaining to it, so documents already stamped keep verifying.  Caller holds the row lock."""
    root = intermediate.parent
    if root is None or not root.private_key_encrypted or not intermediate.private_key_encrypted:
        return
    expected = publication_links("root")
    current = ca.load_pem(intermediate.certificate_pem)
    if ca.links_of(current) == expected:
        return
    renewed = ca.recertify_ca(
        ca.load_pem(root.certificate_pem), ca.decrypt_key(root.private_key_encrypted), current, expected
    )
    previous = intermediate.fingerprint_sha256
    intermediate.certificate_pem = renewed.public_bytes(serialization.Encoding.PEM).decode()
    intermediate.fingerprint_sha256 = ca.fingerprint(renewed)
    intermediate.save(update_fields=["certificate_pem", "fingerprint_sha256", "updated_at"])
    audit.record(
        "seal.ca_recertified",
        obj=intermediate,
        detail={
            "previous": previous,
            "fingerprint": intermediate.fingerprint_sha256,
            "crl": expected.crl_url,
        },
    )


def published_authorities() -> tuple[CertificateAuthority, CertificateAuthority] | None:
    """(root, issuing CA) as published at /pki/, or None before the platform CA exists."""
    issuing = (
        CertificateAuthority.objects.filter(kind=AuthorityKind.INTERMEDIATE, is_trusted=True)
        .select_related("parent")
        .first()
    )
    if issuing is None or issuing.parent is None:
        return None
    if ca.links_of(ca.load_pem(issuing.certificate_pem)) != publication_links("root"):
        issuing = ensure_platform_ca()  # re-certified with the current links (row lock, rare)
    if issuing.parent is None:
        return None
    return issuing.parent, issuing


def import_trusted_ca(pem: str, *, name: str, actor: User) -> CertificateAuthority:
    """互认: trust another platform's CA so documents stamped there verify here."""
    _require_roles(actor, SEAL_ADMIN_ROLES)
    try:
        certificate = ca.load_pem(pem)
    except ValueError as exc:
        raise DomainError(
            SealErrorCode.INVALID_CERTIFICATE, "证书格式不正确（需 PEM）", {"pem": [str(exc)]}
        ) from exc
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise DomainError(
            SealErrorCode.INVALID_CERTIFICATE, "导入的证书不是 CA 证书", {"pem": ["需 CA 证书"]}
        )
    digest = ca.fingerprint(certificate)
    with transaction.atomic():
        authority, created = CertificateAuthority.objects.get_or_create(
            fingerprint_sha256=digest,
            defaults={
                "name": name,
                "kind": AuthorityKind.EXTERNAL,
                "certificate_pem": certificate.public_bytes(serialization.Encoding.PEM).decode(),
            },
        )
        if not created and not authority.is_trusted:
            authority.is_trusted = True
            authority.save(update_fields=["is_trusted", "updated_at"])
        audit.record(
            "seal.ca_trusted", actor=actor, obj=authority, detail={"fingerprint": digest, "name": name}
        )
    return authority


CRL_VALIDITY = timedelta(days=7)
CRL_REISSUE_BEFORE = timedelta(days=6)  # a new CRL each day; one is valid a week (nextUpdate)


def crl_der(authority: CertificateAuthority) -> bytes:
    """The authority's current CRL (DER), listing every certificate it revoked.

    Issued once and kept: a new one (next CRL number) when a certificate is revoked or when the kept
    one has less than :data:`CRL_REISSUE_BEFORE` left before its nextUpdate.
    """
    if not authority.private_key_encrypted:
        raise DomainError(SealErrorCode.INVALID_CERTIFICATE, "外部 CA 的吊销列表由其平台发布")
    if _crl_current(authority):
        return bytes(authority.crl_der or b"")
    with transaction.atomic():
        locked = CertificateAuthority.objects.select_for_update().get(pk=authority.pk)
        if not _crl_current(locked):
            now = timezone.now()
            revoked = [(int(r.serial, 16), r.revoked_at, r.reason) for r in locked.revocations.all()]
            crl = ca.build_crl(
                ca.load_pem(locked.certificate_pem),
                ca.decrypt_key(locked.private_key_encrypted),
                revoked,
                locked.crl_number + 1,
                this_update=now - timedelta(minutes=5),  # tolerate clock skew, like certificates
                validity=CRL_VALIDITY,
            )
            locked.crl_number += 1
            locked.crl_der = crl.public_bytes(serialization.Encoding.DER)
            locked.crl_next_update = crl.next_update_utc
            locked.save(update_fields=["crl_number", "crl_der", "crl_next_update", "updated_at"])
    authority.crl_der, authority.crl_number = locked.crl_der, locked.crl_number
    authority.crl_next_update = locked.crl_next_update
    return bytes(locked.crl_der or b"")


def _crl_current(authority: CertificateAuthority) -> bool:
    if not authority.crl_der or authority.crl_next_update is None:
        return False
    now = timezone.now()
    # Not before its own thisUpdate (a test may travel back in time) and not close to its end.
    issued = authority.crl_next_update - CRL_VALIDITY
    return issued <= now and authority.crl_next_update - now > CRL_REISSUE_BEFORE


# --- lifecycle -----------------------------------------------------------------------------------
def _require_roles(actor: User | None, roles: set[str], organisation: Organisation | None = None) -> None:
    if actor is None:
        raise PermissionDenied("需要工作人员操作")
    held = staff_roles(actor)
    if not held & roles:
        raise PermissionDenied("您没有管理电子印章的角色", code=SealErrorCode.ROLE_REQUIRED)
    if (
        organisation is not None
        and "admin" not in held
        and actor.staff_profile.organisation_id != organisation.pk
    ):
        raise PermissionDenied("只能为本单位申请或管理印章", code=SealErrorCode.NOT_IN_SCOPE)


def _transition(
    seal: Seal, allowed: Iterable[str], to_status: str, action: str, actor: User | None, comment: str = ""
) -> Seal:
    locked = Seal.objects.select_for_update().select_related("organisation").get(pk=seal.pk)
    if locked.status not in set(allowed):
        raise Conflict(
            f"印章当前状态为“{locked.get_status_display()}”，不能{action}",
            code=SealErrorCode.INVALID_TRANSITION,
        )
    from_status = locked.status
    locked.status = to_status
    locked.lock_version += 1
    locked.save(update_fields=["status", "lock_version", "updated_at"])
    SealEvent.objects.create(
        seal=locked, action=action, from_status=from_status, to_status=to_status, actor=actor, comment=comment
    )
    audit.record(
        f"seal.{action}",
        actor=actor,
        obj=locked,
        detail={"from": from_status, "to": to_status, "comment": comment[:300]},
    )
    return locked


def apply_for_seal(
    *,
    organisation: Organisation,
    name: str,
    seal_type: str = SealType.OFFICIAL,
    purpose: str = "",
    actor: User,
) -> Seal:
    """申请: a seal for an organisation."""
    _require_roles(actor, SEAL_APPLICANT_ROLES, organisation)
    if seal_type not in SealType.values:
        raise DomainError("validation_error", "印章类型不正确", {"seal_type": [seal_type]})
    name = name.strip()
    if not name:
        raise DomainError("validation_error", "请填写印章名称", {"name": ["必填"]})
    with transaction.atomic():
        seal = Seal.objects.create(
            organisation=organisation, name=name, seal_type=seal_type, purpose=purpose, applied_by=actor
        )
        SealEvent.objects.create(
            seal=seal, action="apply", to_status=seal.status, actor=actor, comment=purpose
        )
        audit.record(
            "seal.apply", actor=actor, obj=seal, detail={"organisation": organisation.name, "name": name}
        )
    return seal


def review_seal(seal: Seal, *, actor: User, approve: bool, comment: str = "") -> Seal:
    """审核: someone other than the applicant approves or rejects."""
    _require_roles(actor, SEAL_ADMIN_ROLES)
    if seal.applied_by_id == actor.pk:
        raise PermissionDenied("申请人不能审核自己的印章申请", code=SealErrorCode.SELF_REVIEW)
    with transaction.atomic():
        return _transition(
            seal,
            {SealStatus.APPLIED},
            SealStatus.APPROVED if approve else SealStatus.REJECTED,
            "review",
            actor,
            comment,
        )


def make_seal(seal: Seal, *, actor: User, image_png: bytes | None = None) -> Seal:
    """制作: key pairs, the certificate from the platform CA, and the seal appearance."""
    _require_roles(actor, SEAL_ADMIN_ROLES)
    if image_png is not None and not image_png.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DomainError(SealErrorCode.INVALID_IMAGE, "印章图片须为 PNG 格式", {"image": ["须为 PNG"]})
    issuer = ensure_platform_ca()
    with transaction.atomic():
        locked = _transition(seal, {SealStatus.APPROVED}, SealStatus.MADE, "make", actor)
        issued = ca.issue(
            ca.load_pem(issuer.certificate_pem),
            ca.decrypt_key(issuer.private_key_encrypted),
            common_name=f"{locked.organisation.name}{locked.name}",
            organisation=locked.organisation.name,
            unit=locked.organisation.credit_code,
            links=publication_links("issuing"),
        )
        sm2_pair = sm2_generate_keypair()
        locked.issuer = issuer
        locked.certificate_pem = issued.certificate_pem
        locked.certificate_serial = f"{issued.certificate.serial_number:x}"
        locked.private_key_encrypted = issued.encrypted_key
        locked.sm2_public_key = sm2_pair.public_key_hex
        locked.sm2_private_key_encrypted = encrypt_secret(sm2_pair.private_key_hex.encode(), SM2_PURPOSE)
        locked.valid_until = issued.certificate.not_valid_after_utc
        locked.appearance_pdf.save(
            f"{locked.public_id.hex}.pdf",
            ContentFile(render_seal_pdf(locked.organisation.name, locked.name)),
            save=False,
        )
        if image_png is not None:
            locked.image.save(f"{locked.public_id.hex}.png", ContentFile(image_png), save=False)
        locked.save(
            update_fields=[
                "issuer",
                "certificate_pem",
                "certificate_serial",
                "private_key_encrypted",
                "sm2_public_key",
                "sm2_private_key_encrypted",
                "valid_until",
                "appearance_pdf",
                "image",
                "updated_at",
            ]
        )
    return locked


def file_seal(seal: Seal, *, actor: User) -> Seal:
    """备案: the seal gets its registered code (印章编码)."""
    _require_roles(actor, SEAL_ADMIN_ROLES)
    with transaction.atomic():
        locked = _transition(seal, {SealStatus.MADE}, SealStatus.FILED, "file", actor)
        locked.code = f"{locked.organisation.credit_code}{locked.pk:06d}"
        locked.save(update_fields=["code", "updated_at"])
    return locked


def issue_seal(seal: Seal, *, actor: User) -> Seal:
    """启用: from now on authorised users can stamp with it."""
    _require_roles(actor, SEAL_ADMIN_ROLES)
    with transaction.atomic():
        return _transition(seal, {SealStatus.FILED}, SealStatus.ISSUED, "issue", actor)


def authorise_user(
    seal: Seal, *, user: User, actor: User, valid_until: datetime | None = None
) -> SealAuthorisation:
    """用印授权: a staff member of the seal's organisation may stamp with it."""
    _require_roles(actor, SEAL_APPLICANT_ROLES, seal.organisation)
    if seal.status != SealStatus.ISSUED:
        raise Conflict("只有已启用的印章可以授权", code=SealErrorCode.SEAL_NOT_USABLE)
    if not hasattr(user, "staff_profile") or user.staff_profile.organisation_id != seal.organisation_id:
        raise DomainError(
            SealErrorCode.NOT_IN_SCOPE, "只能授权本单位工作人员用印", {"user": [user.username]}, status=403
        )
    with transaction.atomic():
        grant = SealAuthorisation.objects.create(
            seal=seal, user=user, granted_by=actor, valid_until=valid_until
        )
        audit.record(
            "seal.authorise", actor=actor, obj=seal, detail={"user": user.username, "until": str(valid_until)}
        )
    return grant


def revoke_authorisation(grant: SealAuthorisation, *, actor: User) -> None:
    _require_roles(actor, SEAL_APPLICANT_ROLES, grant.seal.organisation)
    with transaction.atomic():
        SealAuthorisation.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit.record(
            "seal.authorisation_revoked", actor=actor, obj=grant.seal, detail={"user": grant.user.username}
        )


def _revoke_certificate(seal: Seal, reason: str) -> None:
    if seal.issuer_id and seal.certificate_serial:
        RevokedCertificate.objects.get_or_create(
            authority_id=seal.issuer_id,
            serial=seal.certificate_serial,
            defaults={"reason": reason, "revoked_at": timezone.now()},
        )
        # The kept CRL is out of date: the next request issues one with the next CRL number.
        CertificateAuthority.objects.filter(pk=seal.issuer_id).update(crl_der=None, crl_next_update=None)


def report_loss(seal: Seal, *, actor: User, reason: str) -> Seal:
    """挂失: the certificate is revoked; nothing can be stamped with the seal any more."""
    _require_roles(actor, SEAL_APPLICANT_ROLES, seal.organisation)
    with transaction.atomic():
        locked = _transition(
            seal,
            {SealStatus.ISSUED, SealStatus.FILED, SealStatus.MADE},
            SealStatus.LOST,
            "report_loss",
            actor,
            reason,
        )
        _revoke_certificate(locked, "keyCompromise")
    return locked


def destroy_seal(seal: Seal, *, actor: User, reason: str = "") -> Seal:
    """销毁: keys are erased and the certificate revoked."""
    _require_roles(actor, SEAL_ADMIN_ROLES)
    with transaction.atomic():
        locked = _transition(
            seal,
            {SealStatus.ISSUED, SealStatus.FILED, SealStatus.MADE, SealStatus.LOST, SealStatus.REJECTED},
            SealStatus.DESTROYED,
            "destroy",
            actor,
            reason,
        )
        _revoke_certificate(locked, "cessationOfOperation")
        locked.private_key_encrypted = ""
        locked.sm2_private_key_encrypted = ""
        locked.save(update_fields=["private_key_encrypted", "sm2_private_key_encrypted", "updated_at"])
    return locked


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


def _signer(seal: Seal) -> signers.SimpleSigner:
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
            PdfImage(_png(seal)) if seal.image else ImportedPdfPage(appearance.name)  # uploaded image wins
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
            signer=_signer(seal),
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


def _png(seal: Seal):  # type: ignore[no-untyped-def]
    from PIL import Image

    return Image.open(io.BytesIO(seal.image.open("rb").read()))


def sign_record(seal: Seal, data: bytes) -> str:
    """SM2-with-SM3 signature over a data record (e.g. a licence's canonical JSON)."""
    if seal.status not in USABLE_STATUSES or not seal.sm2_private_key_encrypted:
        raise Conflict("印章不可用", code=SealErrorCode.SEAL_NOT_USABLE)
    private_hex = decrypt_secret(seal.sm2_private_key_encrypted, SM2_PURPOSE).decode()
    return sm2_sign(private_hex, data)


def verify_record(seal: Seal, data: bytes, signature_hex: str) -> bool:
    return bool(seal.sm2_public_key) and sm2_verify(seal.sm2_public_key, signature_hex, data)


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


def _validation_context() -> ValidationContext:
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
    context = _validation_context()
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
