"""A PKI a relying party can follow: /pki/ publishes the root and issuing CA certificates and their
CRLs; seal certificates point there; every document the platform issues (licence, acceptance notice,
decisions) verifies with the published root as the only trust anchor, revocation checked, in pyHanko
and in pdfsig (NSS); a body without a usable seal cannot issue a notice or a decision.

Certificates and documents are made at the real current time (pdfsig validates at "now"), so
nothing depends on a fixed date."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID
from django.test import Client
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from yiwang.cases.models import Case, CaseDocument, CaseStatus, DocumentKind
from yiwang.cases.services import accept_case, decide_case, refuse_acceptance, request_correction
from yiwang.core.errors import Conflict
from yiwang.seals import ca, services
from yiwang.seals.models import AuthorityKind, CertificateAuthority, Seal
from yiwang.testing import licences as licence_factories
from yiwang.testing.cases import (
    ServiceItemFactory,
    make_citizen,
    make_document_seal,
    make_staff,
    submit,
)
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db

BASE = "https://zwfw.example.gov.cn:8443"
HAS_NSS = all(shutil.which(tool) for tool in ("pdfsig", "certutil", "crlutil"))


@pytest.fixture(autouse=True)
def public_url(settings) -> None:
    settings.YIWANG_PUBLIC_URL = BASE + "/"
    settings.YIWANG_REQUIRE_DOCUMENT_SEAL = True


def _get(path: str) -> bytes:
    response = Client().get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content


def _extension(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> x509.ExtensionType | None:
    try:
        return certificate.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None


def _points(certificate: x509.Certificate) -> tuple[list[str], list[str]]:
    points = _extension(certificate, ExtensionOID.CRL_DISTRIBUTION_POINTS)
    access = _extension(certificate, ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    crl = [n.value for p in points or [] for n in p.full_name or []]  # type: ignore[attr-defined]
    issuers = [
        d.access_location.value
        for d in access or []  # type: ignore[attr-defined]
        if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS
    ]
    return crl, issuers


# --- what a relying party sees --------------------------------------------------------------------
def test_pki_page_before_any_seal_says_so():
    page = Client().get("/pki/")
    assert page.status_code == 200 and 'id="pki-empty"' in page.content.decode()
    assert Client().get("/pki/root.crt").status_code == 404


def test_published_certificates_and_crls(issued_seal, manager):
    root_der = _get("/pki/root.crt")
    root = x509.load_der_x509_certificate(root_der)
    assert x509.load_pem_x509_certificate(_get("/pki/root.pem")) == root
    issuing = x509.load_der_x509_certificate(_get("/pki/issuing.crt"))
    assert x509.load_pem_x509_certificate(_get("/pki/issuing.pem")) == issuing
    assert root.subject == root.issuer and issuing.issuer == root.subject
    issuing.verify_directly_issued_by(root)
    seal_cert = ca.load_pem(issued_seal.certificate_pem)
    seal_cert.verify_directly_issued_by(issuing)
    response = Client().get("/pki/issuing.crl")
    assert response["Content-Type"] == "application/pkix-crl"
    assert Client().get("/pki/root.crt")["Content-Type"] == "application/pkix-cert"

    # CRLs: signed by their CA, numbered, with a next update; the issuing CRL lists revoked seals.
    root_crl = x509.load_der_x509_crl(_get("/pki/root.crl"))
    assert root_crl.is_signature_valid(root.public_key())  # type: ignore[arg-type]
    crl = x509.load_der_x509_crl(response.content)
    assert crl.is_signature_valid(issuing.public_key())  # type: ignore[arg-type]
    number = crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    assert crl.next_update_utc is not None and crl.next_update_utc > crl.last_update_utc
    assert len(crl) == 0
    assert _get("/pki/issuing.crl") == response.content  # kept, not re-signed on every request
    services.report_loss(issued_seal, actor=manager, reason="遗失")
    crl = x509.load_der_x509_crl(_get("/pki/issuing.crl"))
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == number + 1
    entry = crl.get_revoked_certificate_by_serial_number(seal_cert.serial_number)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == (
        x509.ReasonFlags.key_compromise
    )

    # The page: fingerprints to compare and how to import the root.
    page = Client().get("/pki/").content.decode()
    fingerprint = ca.fingerprint(root).upper()
    assert ":".join(fingerprint[i : i + 2] for i in range(0, 64, 2)) in page
    assert f"{BASE}/pki/root.crt" in page and "pdfsig -nssdir" in page and "pyhanko sign validate" in page
    assert "/pki/" in Client().get("/seals/verify/").content.decode()
    assert "/pki/" in Client().get("/verify/").content.decode()


def test_pki_page_in_english(issued_seal):
    page = Client(headers={"accept-language": "en"}).get("/pki/")
    assert page.status_code == 200
    assert "E-seal certificates and trust settings" in page.content.decode()


def test_seal_certificates_point_at_pki_on_the_public_address(issued_seal):
    certificate = ca.load_pem(issued_seal.certificate_pem)
    assert _points(certificate) == ([f"{BASE}/pki/issuing.crl"], [f"{BASE}/pki/issuing.crt"])
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert _extension(certificate, ExtensionOID.EXTENDED_KEY_USAGE) is None  # no e-mail / code signing
    issuing = ca.load_pem(issued_seal.issuer.certificate_pem)
    assert _points(issuing) == ([f"{BASE}/pki/root.crl"], [f"{BASE}/pki/root.crt"])


def test_public_address_follows_port():
    """Without YIWANG_PUBLIC_URL the address is 127.0.0.1 on the configured PORT."""
    env = {k: v for k, v in os.environ.items() if k != "YIWANG_PUBLIC_URL"}
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.YIWANG_PUBLIC_URL)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "PORT": "8123", "DJANGO_SETTINGS_MODULE": "yiwang.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.stdout.strip() == "http://127.0.0.1:8123", run.stderr[-2000:]
    explicit = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "PORT": "8123", "YIWANG_PUBLIC_URL": BASE, "DJANGO_SETTINGS_MODULE": "yiwang.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert explicit.stdout.strip() == BASE


def test_an_issuing_ca_without_links_is_recertified_and_old_documents_keep_verifying(
    settings, organisation, tmp_path
):
    """A CA made before /pki/ existed: its certificate is re-issued (same name and key) with the links;
    documents stamped before still verify against the published root."""
    issuing = services.ensure_platform_ca()
    root = CertificateAuthority.objects.get(kind=AuthorityKind.ROOT)
    old = ca.load_pem(issuing.certificate_pem)
    bare = ca._certify(
        ca.load_pem(root.certificate_pem),
        ca.decrypt_key(root.private_key_encrypted),
        old.subject,
        old.public_key(),  # type: ignore[arg-type]
        old.not_valid_before_utc,
        old.not_valid_after_utc,
        True,
        None,
    )
    CertificateAuthority.objects.filter(pk=issuing.pk).update(
        certificate_pem=bare.public_bytes(serialization.Encoding.PEM).decode(),
        fingerprint_sha256=ca.fingerprint(bare),
    )
    seal = make_document_seal(organisation)
    signed = services.stamp_pdf(seal, _plain_pdf(), user=None, reason="测试", system=True)
    issuing.refresh_from_db()
    assert _points(ca.load_pem(issuing.certificate_pem)) == (
        [f"{BASE}/pki/root.crl"],
        [f"{BASE}/pki/root.crt"],
    )
    assert services.verify_pdf(signed).ok
    _assert_valid_and_trusted(signed, tmp_path, "old.pdf")
    # A new public address: the issuing CA follows it; earlier documents still verify.
    settings.YIWANG_PUBLIC_URL = "https://new.example.gov.cn"
    assert services.published_authorities() is not None
    issuing.refresh_from_db()
    assert _points(ca.load_pem(issuing.certificate_pem))[0] == ["https://new.example.gov.cn/pki/root.crl"]
    _assert_valid_and_trusted(signed, tmp_path, "old2.pdf")


def _plain_pdf() -> bytes:
    from datetime import date

    from yiwang.cases.documents import DocumentSpec, render_pdf

    return render_pdf(
        DocumentSpec(
            title="测试文书",
            issuer="合肥市市场监督管理局",
            case_number="T1",
            applicant_name="张伟",
            item_name="测试",
            paragraphs=["测试。"],
            issued_on=date(2026, 1, 5),
        )
    )


# --- every document kind: valid and trusted in pyHanko and pdfsig ---------------------------------
def _pyhanko_context() -> ValidationContext:
    """The published root as the only trust anchor, the published CRLs, revocation required."""
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(_get("/pki/root.crt"))],
        crls=[_get("/pki/root.crl"), _get("/pki/issuing.crl")],
        allow_fetching=False,
        revocation_mode="require",
    )


def _pyhanko_statuses(data: bytes) -> list:  # type: ignore[type-arg]
    context = _pyhanko_context()
    signatures = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert signatures
    return [validate_pdf_signature(signature, context) for signature in signatures]


def _nss_db(directory: Path) -> str:
    """A fresh NSS database (what pdfsig reads) trusting only the published root, with the published
    CRLs imported so that pdfsig checks revocation too."""
    index = len(list(directory.glob("nss*")))
    db = directory / f"nss{index}"
    db.mkdir()
    files = {}
    for name in ("root.crt", "root.crl", "issuing.crl"):
        files[name] = db / name
        files[name].write_bytes(_get(f"/pki/{name}"))
    for argv in (
        ["certutil", "-N", "-d", f"sql:{db}", "--empty-password"],
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{db}",
            "-n",
            "yiwang-root",
            "-t",
            "C,C,C",
            "-i",
            str(files["root.crt"]),
        ],
        ["crlutil", "-I", "-d", f"sql:{db}", "-B", "-i", str(files["root.crl"])],
        ["crlutil", "-I", "-d", f"sql:{db}", "-B", "-i", str(files["issuing.crl"])],
    ):
        subprocess.run(argv, check=True, capture_output=True, timeout=60)
    return f"sql:{db}"


def _pdfsig(data: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    run = subprocess.run(
        ["pdfsig", "-nssdir", _nss_db(tmp_path), str(path)], capture_output=True, text=True, timeout=120
    )
    return run.stdout + run.stderr


def _assert_valid_and_trusted(data: bytes, tmp_path: Path, name: str) -> None:
    for status in _pyhanko_statuses(data):
        assert status.intact and status.valid and status.trusted, status.pretty_print_details()
        assert not status.revoked
    if HAS_NSS:
        output = _pdfsig(data, tmp_path, name)
        assert "Signature is Valid" in output and "Certificate is Trusted" in output, output


@pytest.fixture
def department_with_seal(organisation) -> tuple:  # type: ignore[type-arg]
    seal = make_document_seal(organisation)
    item = ServiceItemFactory(implementing_body=organisation)
    clerk = make_staff(organisation, "pki_clerk", ("window_clerk",))
    approver = make_staff(organisation, "pki_approver", ("handler", "approver"))
    return item, clerk, approver, seal


def test_every_issued_document_is_valid_and_trusted(department_with_seal, tmp_path):
    item, clerk, approver, seal = department_with_seal
    citizen = make_citizen("pki_citizen")
    approved = accept_case(submit(item, citizen), actor=clerk)
    decide_case(approved, actor=approver, approve=True, comment="同意")
    refused = accept_case(submit(item, citizen), actor=clerk)
    decide_case(refused, actor=approver, approve=False, comment="不符合条件")
    not_accepted = refuse_acceptance(submit(item, citizen), actor=clerk, reason="不属于本机关职权")
    corrected = submit(item, citizen)
    material = item.materials.filter(mandatory=True).first()
    request_correction(
        corrected, actor=clerk, items=[{"material_id": str(material.public_id), "reason": "不清晰"}]
    )
    documents = list(CaseDocument.objects.filter(case__in=[approved, refused, not_accepted, corrected]))
    kinds = {document.kind for document in documents}
    assert kinds >= {
        DocumentKind.ACCEPTANCE_NOTICE,
        DocumentKind.APPROVAL_DECISION,
        DocumentKind.REFUSAL_DECISION,
        DocumentKind.NOT_ACCEPTED_NOTICE,
        DocumentKind.CORRECTION_NOTICE,
    }
    for document in documents:
        assert document.signed and document.seal == seal
        document.file.open("rb")
        _assert_valid_and_trusted(document.file.read(), tmp_path, f"{document.kind}-{document.pk}.pdf")

    issuer, _licence_seal, _ = licence_factories.make_issuer("合肥市卫生健康委员会")
    licence = licence_factories.issue(licence_factories.make_type(), issuer)
    licence.document.open("rb")
    _assert_valid_and_trusted(licence.document.read(), tmp_path, "licence.pdf")


def test_a_revoked_seal_is_reported_revoked(issued_seal, manager, clerk, tmp_path):
    signed = services.stamp_pdf(issued_seal, _plain_pdf(), user=clerk, reason="测试")
    assert all(status.bottom_line for status in _pyhanko_statuses(signed))
    services.report_loss(issued_seal, actor=manager, reason="遗失")
    (status,) = _pyhanko_statuses(signed)
    assert status.revoked and not status.bottom_line
    if HAS_NSS:
        assert "Certificate has been Revoked" in _pdfsig(signed, tmp_path, "revoked.pdf")


# --- no seal, no notice or decision ---------------------------------------------------------------
def test_without_a_seal_acceptance_is_refused_and_nothing_unsigned_is_issued(organisation):
    item = ServiceItemFactory(implementing_body=organisation)
    clerk = make_staff(organisation, "pki_clerk", ("window_clerk",))
    case = submit(item, make_citizen("pki_citizen"))
    page = logged_in(clerk).get(f"/workbench/cases/{case.public_id}/").content.decode()
    assert 'id="seal-warning"' in page and "行政审批专用章" in page
    with pytest.raises(Conflict) as excinfo:
        accept_case(case, actor=clerk)
    assert excinfo.value.code == "seal_no_document_seal"
    assert organisation.name in excinfo.value.message
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert not CaseDocument.objects.filter(case=case).exists()


def test_a_seal_lost_before_the_decision_blocks_the_decision(department_with_seal, manager):
    item, clerk, approver, seal = department_with_seal
    case = accept_case(submit(item, make_citizen("pki_citizen")), actor=clerk)
    page = logged_in(approver).get(f"/workbench/cases/{case.public_id}/").content.decode()
    assert 'id="seal-warning"' not in page
    Seal.objects.filter(pk=seal.pk).update(status="lost")
    page = logged_in(approver).get(f"/workbench/cases/{case.public_id}/").content.decode()
    assert 'id="seal-warning"' in page
    with pytest.raises(Conflict):
        decide_case(case, actor=approver, approve=True, comment="同意")
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.ACCEPTED
    assert not CaseDocument.objects.filter(case=case, kind=DocumentKind.APPROVAL_DECISION).exists()
    # Through the workbench: the refusal is shown, not a 500.
    response = logged_in(approver).post(
        f"/workbench/cases/{case.public_id}/decide/",
        {"decision": "approve", "comment": "同意", "lock_version": case.lock_version},
    )
    assert response.status_code == 409
    assert "行政审批专用章" in response.content.decode()


def test_demo_bodies_have_their_approval_seal():
    from django.core.management import call_command

    from yiwang.catalog.models import ServiceItem
    from yiwang.core.models import Organisation

    call_command("loaddemo", "--skip-regions", stdout=io.StringIO())
    bodies = Organisation.objects.filter(pk__in=ServiceItem.objects.values("implementing_body"))
    assert bodies.count() >= 6
    for body in bodies:
        seal = services.organisation_seal(body)
        assert seal is not None and seal.seal_type == "approval", body.name
        assert not services.lacks_document_seal(body)
