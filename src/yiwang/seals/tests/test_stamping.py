"""Stamping PDFs with a visible seal (PAdES) and verifying them: pyHanko, pdfsig, tampering, revocation."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from yiwang.cases.documents import DocumentSpec, render_pdf
from yiwang.core.errors import Conflict, PermissionDenied
from yiwang.seals import ca, services
from yiwang.seals.models import AuthorityKind, CertificateAuthority, StampRecord

pytestmark = pytest.mark.django_db


def _document() -> bytes:
    return render_pdf(
        DocumentSpec(
            title="准予行政许可决定书",
            issuer="合肥市市场监督管理局",
            case_number="X" * 43,
            applicant_name="张伟",
            item_name="食品经营许可",
            paragraphs=["经审查，决定予以批准。"],
            issued_on=date(2026, 9, 21),
        )
    )


def test_authorised_user_stamps_and_signature_verifies(issued_seal, clerk):
    original = _document()
    signed = services.stamp_pdf(issued_seal, original, user=clerk, reason="准予许可", reference="CASE-1")
    assert signed.startswith(original[:8])
    record = StampRecord.objects.get(seal=issued_seal)
    assert record.user == clerk
    assert record.reference == "CASE-1"
    report = services.verify_pdf(signed)
    assert report.ok, report
    signature = report.signatures[0]
    assert signature.intact and signature.valid and signature.trusted and not signature.revoked
    assert signature.covers_whole_document
    assert signature.organisation == "合肥市市场监督管理局"
    assert signature.signed_at is not None


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="pdfsig (poppler-utils) not installed")
def test_pdfsig_reports_the_signature_valid(issued_seal, clerk, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(services.stamp_pdf(issued_seal, _document(), user=clerk, reason="准予许可"))
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert "Signature is Valid" in result.stdout, result.stdout + result.stderr


def test_tampered_pdf_is_detected(issued_seal, clerk):
    signed = bytearray(services.stamp_pdf(issued_seal, _document(), user=clerk, reason="准予许可"))
    index = signed.find(b"/Title")
    assert index > 0
    signed[index + 8] = (signed[index + 8] + 1) % 256
    report = services.verify_pdf(bytes(signed))
    assert not report.ok


def test_unauthorised_user_cannot_stamp(issued_seal, manager):
    with pytest.raises(PermissionDenied) as excinfo:
        services.stamp_pdf(issued_seal, _document(), user=manager, reason="试图用印")
    assert excinfo.value.code == "seal_not_authorised"
    assert not StampRecord.objects.exists()


def test_lost_seal_cannot_stamp_and_old_stamps_show_revoked(issued_seal, clerk, manager):
    signed = services.stamp_pdf(issued_seal, _document(), user=clerk, reason="准予许可")
    services.report_loss(issued_seal, actor=manager, reason="遗失")
    with pytest.raises(Conflict):
        services.stamp_pdf(issued_seal, _document(), user=clerk, reason="再次用印")
    report = services.verify_pdf(signed)
    assert not report.ok
    assert report.signatures[0].revoked


def test_system_stamping_for_issued_results(issued_seal):
    signed = services.stamp_pdf(issued_seal, _document(), user=None, reason="证照签发", system=True)
    assert services.verify_pdf(signed).ok


def test_not_a_pdf(issued_seal, clerk):
    with pytest.raises(Exception) as excinfo:
        services.stamp_pdf(issued_seal, b"hello", user=clerk, reason="x")
    assert getattr(excinfo.value, "code", "") == "invalid_pdf"
    assert services.verify_pdf(b"hello").error


def test_foreign_platform_documents_verify_after_mutual_recognition(issued_seal, seal_admin):
    # Another platform's CA and seal, stamped there.
    foreign_root = ca.make_root("外省平台根 CA", "外省政务服务平台")
    foreign_leaf = ca.issue(
        foreign_root.certificate,
        foreign_root.private_key,
        common_name="外省某局公章",
        organisation="外省某局",
    )
    import io

    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = lambda c: asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))  # noqa: E731
    signer = signers.SimpleSigner(
        signing_cert=der(foreign_leaf.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            foreign_leaf.private_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([der(foreign_root.certificate)]),
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(_document())),
        signers.PdfSignatureMetadata(field_name="Foreign"),
        signer=signer,
    )
    foreign_pdf = out.getvalue()
    before = services.verify_pdf(foreign_pdf)
    assert before.signatures[0].intact and not before.signatures[0].trusted
    authority = services.import_trusted_ca(
        foreign_root.certificate_pem, name="外省平台根 CA", actor=seal_admin
    )
    assert authority.kind == AuthorityKind.EXTERNAL
    after = services.verify_pdf(foreign_pdf)
    assert after.ok, after


def test_importing_a_leaf_certificate_is_refused(issued_seal, seal_admin):
    with pytest.raises(Exception) as excinfo:
        services.import_trusted_ca(issued_seal.certificate_pem, name="x", actor=seal_admin)
    assert getattr(excinfo.value, "code", "") == "invalid_certificate"
    assert not CertificateAuthority.objects.filter(kind=AuthorityKind.EXTERNAL).exists()


def test_record_signatures_with_sm2(issued_seal):
    data = b'{"licence": "1.2.156.3005.2..."}'
    signature = services.sign_record(issued_seal, data)
    assert services.verify_record(issued_seal, data, signature)
    assert not services.verify_record(issued_seal, data + b" ", signature)
