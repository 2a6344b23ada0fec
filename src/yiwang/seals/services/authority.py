"""The platform CA (root and issuing CA), trusted CAs of other platforms (互认) and the CRLs."""

from __future__ import annotations

from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.public_url import public_base_url as base
from yiwang.seals import ca
from yiwang.seals.errors import SealErrorCode
from yiwang.seals.models import (
    AuthorityKind,
    CertificateAuthority,
)
from yiwang.seals.services.permissions import (
    SEAL_ADMIN_ROLES,
    require_roles,
)

PLATFORM_ORGANISATION = "一网政务服务平台"


# --- the platform CA -----------------------------------------------------------------------------
def public_base_url() -> str:
    """The platform's public address (``YIWANG_PUBLIC_URL``, by default ``http://127.0.0.1:$PORT``)."""
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
            refresh_links(intermediate)
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


def refresh_links(intermediate: CertificateAuthority) -> None:
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
    require_roles(actor, SEAL_ADMIN_ROLES)
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
    if crl_current(authority):
        return bytes(authority.crl_der or b"")
    with transaction.atomic():
        locked = CertificateAuthority.objects.select_for_update().get(pk=authority.pk)
        if not crl_current(locked):
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


def crl_current(authority: CertificateAuthority) -> bool:
    if not authority.crl_der or authority.crl_next_update is None:
        return False
    now = timezone.now()
    # Not before its own thisUpdate (a test may travel back in time) and not close to its end.
    issued = authority.crl_next_update - CRL_VALIDITY
    return issued <= now and authority.crl_next_update - now > CRL_REISSUE_BEFORE
