"""/pki/: the platform's root and issuing CA certificates (PEM and DER) and their CRLs, published for
relying parties, and a page that explains how to trust them (fingerprints, Adobe, Windows, NSS /
pdfsig, pyHanko).  Seal certificates point here (CRL distribution point, caIssuers)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import re_path
from django.views.decorators.http import require_safe

from yiwang.seals import ca, services
from yiwang.seals.models import CertificateAuthority

LEVELS = ("root", "issuing")
CONTENT_TYPES = {
    "crt": "application/pkix-cert",
    "cer": "application/pkix-cert",
    "pem": "application/x-pem-file",
    "crl": "application/pkix-crl",
}


@dataclass(frozen=True)
class PublishedAuthority:
    level: str
    authority: CertificateAuthority
    subject: str
    serial: str
    not_before: datetime
    not_after: datetime
    sha256: str
    sha1: str
    crl_number: int
    crl_next_update: datetime | None
    revoked: int
    crl_url: str
    certificate_url: str
    pem_url: str


def _colons(digest: str) -> str:
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2)).upper()


def _describe(level: str, authority: CertificateAuthority) -> PublishedAuthority:
    certificate = ca.load_pem(authority.certificate_pem)
    der = certificate.public_bytes(serialization.Encoding.DER)
    services.crl_der(authority)  # issues the CRL if none is current, so its number and date show
    links = services.publication_links(level)
    return PublishedAuthority(
        level=level,
        authority=authority,
        subject=certificate.subject.rfc4514_string(),
        serial=f"{certificate.serial_number:x}",
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        sha256=_colons(hashlib.sha256(der).hexdigest()),
        sha1=_colons(hashlib.sha1(der, usedforsecurity=False).hexdigest()),
        crl_number=authority.crl_number,
        crl_next_update=authority.crl_next_update,
        revoked=authority.revocations.count(),
        crl_url=links.crl_url,
        certificate_url=links.issuer_url,
        pem_url=links.issuer_url.removesuffix(".crt") + ".pem",
    )


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """证书信任 How a relying party trusts the platform's seals."""
    published = services.published_authorities()
    authorities = (
        [_describe(level, authority) for level, authority in zip(LEVELS, published, strict=True)]
        if published
        else []
    )
    return render(
        request,
        "seals/pki.html",
        {
            "authorities": authorities,
            "root": authorities[0] if authorities else None,
            "issuing": authorities[1] if authorities else None,
            "base_url": services.public_base_url(),
        },
    )


@require_safe
def published_file(request: HttpRequest, name: str, extension: str) -> HttpResponse:
    """root.crt / root.cer (DER), root.pem, root.crl (DER), and the same for the issuing CA."""
    published = services.published_authorities()
    if published is None or name not in LEVELS:
        raise Http404
    authority = published[LEVELS.index(name)]
    if extension == "crl":
        body = services.crl_der(authority)
        max_age = 3600
    else:
        certificate = ca.load_pem(authority.certificate_pem)
        encoding = serialization.Encoding.PEM if extension == "pem" else serialization.Encoding.DER
        body = certificate.public_bytes(encoding)
        max_age = 86400
    response = HttpResponse(body, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="yiwang-{name}.{extension}"'
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


app_name = "pki"
urlpatterns = [
    re_path(r"^$", index, name="index"),
    re_path(r"^(?P<name>root|issuing)\.(?P<extension>crt|cer|pem|crl)$", published_file, name="file"),
]
