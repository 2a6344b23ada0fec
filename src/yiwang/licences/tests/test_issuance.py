"""Issuance: schema validation, identifier and serial, stamped PDF valid for pyHanko and pdfsig,
the SM2-signed data record, and refusal without a usable seal."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
import time_machine

from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.licences import services
from yiwang.licences.identifiers import parse_identifier
from yiwang.licences.models import LicenceEvent, LicenceStatus
from yiwang.licences.tests import factories
from yiwang.seals import services as seal_services
from yiwang.seals.models import StampRecord

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-03-15 10:00:00+08:00", tick=False)
def test_issue_assigns_identifier_serial_and_validity(licence_type, issuer, citizen):
    licence = factories.issue(licence_type, issuer, citizen)
    parsed = parse_identifier(licence.identifier)
    assert parsed.type_code == licence_type.code
    assert parsed.issuer_code == issuer.credit_code
    assert parsed.serial == "20260000001"
    assert parsed.version == 1
    assert licence.holder_user == citizen
    assert str(licence.valid_until) == "2031-03-14"
    assert licence.status == LicenceStatus.VALID
    assert licence.data["area"] == 120
    second = factories.issue(licence_type, issuer, citizen)
    assert parse_identifier(second.identifier).serial == "20260000002"
    assert LicenceEvent.objects.filter(licence=licence, action="issue").exists()
    assert AuditEvent.objects.filter(action="licence.issue", object_id=str(licence.public_id)).exists()


def test_document_is_stamped_and_valid_for_pyhanko(licence, seal):
    pdf = services.document_bytes(licence)
    assert hashlib.sha256(pdf).hexdigest() == licence.document_sha256
    report = seal_services.verify_pdf(pdf)
    assert report.ok, report
    assert report.signatures[0].covers_whole_document
    assert report.signatures[0].seal_id == str(seal.public_id)
    stamp = StampRecord.objects.get(seal=seal)
    assert stamp.user is None and stamp.reason == "电子证照签发"
    assert licence.identifier.endswith(stamp.reference)


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="pdfsig (poppler-utils) not installed")
def test_pdfsig_reports_the_licence_signature_valid(licence, tmp_path):
    path = tmp_path / "licence.pdf"
    path.write_bytes(services.document_bytes(licence))
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    assert "Signature is Valid" in result.stdout, result.stdout + result.stderr
    assert "Total document signed" in result.stdout


def test_pdf_carries_the_identifier_and_the_qr_url(licence):
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(services.document_bytes(licence)))
    assert reader.metadata["/Subject"] == licence.identifier
    assert (
        services.verify_url(licence.identifier) == f"https://zwfw.example.gov.cn/verify/{licence.identifier}/"
    )


def test_data_record_is_signed_with_the_seal_sm2_key(licence, seal):
    assert services.verify_data_record(licence)
    assert seal_services.verify_record(seal, licence.record_json.encode(), licence.data_signature)
    assert '"holder_code":"' + licence.holder_code in licence.record_json


def test_invalid_data_is_refused_field_by_field(licence_type, issuer):
    with pytest.raises(DomainError) as excinfo:
        factories.issue(
            licence_type,
            issuer,
            data=factories.food_data(
                number="", category="网店", area="大", approved_on="2026-13-01", colour="红"
            ),
        )
    fields = excinfo.value.fields
    assert excinfo.value.code == "licence_invalid_data"
    assert set(fields) == {"number", "category", "area", "approved_on", "colour"}


def test_holder_fields_are_required(licence_type, issuer):
    with pytest.raises(DomainError) as excinfo:
        factories.issue(licence_type, issuer, holder_name=" ", holder_code="", holder_code_type="驾照")
    assert set(excinfo.value.fields) == {"holder_name", "holder_code", "holder_code_type"}


def test_no_usable_seal_no_licence(licence_type):
    from yiwang.testing.cases import OrganisationFactory

    with pytest.raises(DomainError) as excinfo:
        factories.issue(licence_type, OrganisationFactory(name="无印章的局"))
    assert excinfo.value.code == "licence_no_usable_seal"
    assert excinfo.value.status == 409


def test_type_schema_is_validated():
    with pytest.raises(DomainError) as excinfo:
        services.create_licence_type(
            code="11100000000013338W999",
            name="x",
            holder_type="natural",
            fields=[{"name": "a", "label": "A", "type": "colour"}],
        )
    assert excinfo.value.code == "licence_invalid_type"
    with pytest.raises(DomainError):
        services.create_licence_type(
            code="BAD", name="x", holder_type="natural", fields=[{"name": "a", "label": "A"}]
        )


def test_permanent_licence_has_no_end(issuer, citizen):
    permanent = factories.make_type(validity_years=None, name="结婚证")
    licence = factories.issue(permanent, issuer, citizen)
    assert licence.valid_until is None
    assert services.verify_identifier(licence.identifier).ok
