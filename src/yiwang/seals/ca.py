"""The platform's certificate authority (平台 CA): root → intermediate → seal certificates, and CRLs.

Keys are ECDSA P-256 (what PDF readers verify); private keys are stored AES-GCM encrypted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from yiwang.core.crypto import decrypt_secret, encrypt_secret

KEY_PURPOSE = "seal-private-key"


@dataclass(frozen=True)
class PublicationLinks:
    """Where an issuing CA publishes its CRL and its certificate (absolute URLs)."""

    crl_url: str
    issuer_url: str


@dataclass(frozen=True)
class IssuedCertificate:
    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def encrypted_key(self) -> str:
        return encrypt_key(self.private_key)


def encrypt_key(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return encrypt_secret(der, KEY_PURPOSE)


def decrypt_key(token: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_der_private_key(decrypt_secret(token, KEY_PURPOSE), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("expected an EC private key")
    return key


def key_der(token: str) -> bytes:
    return decrypt_secret(token, KEY_PURPOSE)


def load_pem(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def _name(common_name: str, organisation: str, unit: str | None = None) -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if unit:
        parts.insert(2, x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    return x509.Name(parts)


def _now() -> datetime:
    return datetime.now(UTC) - timedelta(minutes=5)  # tolerate small clock skew between nodes


def make_root(common_name: str, organisation: str, years: int = 20) -> IssuedCertificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, organisation)
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return IssuedCertificate(certificate, key)


def issue(
    issuer_cert: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    common_name: str,
    organisation: str,
    unit: str | None = None,
    is_ca: bool = False,
    years: int = 5,
    links: PublicationLinks | None = None,
) -> IssuedCertificate:
    """Issue an intermediate CA (``is_ca``) or an end-entity seal certificate.

    ``links`` are where the issuer publishes its CRL and its own certificate (CRL distribution
    point, authority information access); relying parties such as Adobe Reader follow them.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    now = _now()
    subject = _name(common_name, organisation, unit)
    not_after = min(now + timedelta(days=365 * years), issuer_cert.not_valid_after_utc)
    certificate = _certify(issuer_cert, issuer_key, subject, key.public_key(), now, not_after, is_ca, links)
    return IssuedCertificate(certificate, key)


def recertify_ca(
    issuer_cert: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    existing: x509.Certificate,
    links: PublicationLinks,
) -> x509.Certificate:
    """A new certificate for an existing CA (same name, same key, same end of validity) that carries
    ``links``: what the CA already issued keeps chaining to it (the key identifier is unchanged)."""
    public_key = existing.public_key()
    assert isinstance(public_key, ec.EllipticCurvePublicKey)
    return _certify(
        issuer_cert,
        issuer_key,
        existing.subject,
        public_key,
        _now(),
        existing.not_valid_after_utc,
        True,
        links,
    )


def _certify(
    issuer_cert: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    subject: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    not_before: datetime,
    not_after: datetime,
    is_ca: bool,
    links: PublicationLinks | None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if is_ca:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=0), critical=True
        ).add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        # digitalSignature + nonRepudiation (content commitment): what a seal is for.  No extended
        # key usage: e-mail protection or code signing would be wrong for a seal, and NSS (pdfsig)
        # checks a PDF signer as an e-mail signer, which any certificate without EKU may be.
        builder = builder.add_extension(
            x509.BasicConstraints(ca=False, path_length=None), critical=True
        ).add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
    if links is not None:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(links.crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        ).add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(links.issuer_url),
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def links_of(certificate: x509.Certificate) -> PublicationLinks | None:
    """The CRL and CA-certificate URLs a certificate carries, or None when it carries none."""
    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return None
    crl = [
        n.value for p in points for n in (p.full_name or []) if isinstance(n, x509.UniformResourceIdentifier)
    ]
    issuers = [
        d.access_location.value
        for d in access
        if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]
    if not crl or not issuers:
        return None
    return PublicationLinks(crl_url=crl[0], issuer_url=issuers[0])


CRL_REASONS = {
    "keyCompromise": x509.ReasonFlags.key_compromise,
    "cessationOfOperation": x509.ReasonFlags.cessation_of_operation,
    "superseded": x509.ReasonFlags.superseded,
    "affiliationChanged": x509.ReasonFlags.affiliation_changed,
}


def build_crl(
    issuer_cert: x509.Certificate,
    issuer_key: ec.EllipticCurvePrivateKey,
    revoked: list[tuple[int, datetime]] | list[tuple[int, datetime, str]],
    crl_number: int,
    *,
    this_update: datetime | None = None,
    validity: timedelta = timedelta(days=7),
) -> x509.CertificateRevocationList:
    """A CRL (v2) of ``issuer_cert`` with its number, next update and each entry's reason code."""
    now = this_update or _now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(now)
        .next_update(now + validity)
        .add_extension(x509.CRLNumber(crl_number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    for entry in revoked:
        serial, when = entry[0], entry[1]
        revoked_builder = x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
        reason = CRL_REASONS.get(entry[2]) if len(entry) > 2 else None  # type: ignore[misc]
        if reason is not None:
            revoked_builder = revoked_builder.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(revoked_builder.build())
    return builder.sign(issuer_key, hashes.SHA256())
