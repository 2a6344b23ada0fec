"""Import of licences issued elsewhere: per-record validation, foreign seals checked against the
trusted CAs (mutual recognition), all or nothing, and the licences_import command."""

from __future__ import annotations

import base64
import io
import json

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.core.management import CommandError, call_command
from django.utils import timezone
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from yiwang.core.errors import DomainError
from yiwang.licences import services
from yiwang.licences.documents import LicenceLayout, render_licence_pdf
from yiwang.licences.identifiers import make_identifier
from yiwang.licences.models import Licence
from yiwang.licences.tests import factories
from yiwang.seals import ca
from yiwang.seals import services as seal_services

pytestmark = pytest.mark.django_db
FOREIGN_ISSUER = "11430000006122244L"


@pytest.fixture(scope="module")
def foreign_platform():
    root = ca.make_root("外省平台根 CA", "外省政务服务平台")
    leaf = ca.issue(
        root.certificate,
        root.private_key,
        common_name="湖南省市场监督管理局证照专用章",
        organisation="湖南省市场监督管理局",
    )
    return root, leaf


def _foreign_pdf(foreign_platform, identifier: str) -> bytes:
    root, leaf = foreign_platform
    pdf = render_licence_pdf(
        LicenceLayout(
            title="食品经营许可证",
            identifier=identifier,
            holder_name="李娜",
            holder_code_label="居民身份证",
            holder_code="11010519491231002X",
            rows=[],
            issuer_name="湖南省市场监督管理局",
            issued_on=timezone.localdate(),
            valid_from=timezone.localdate(),
            valid_until=None,
            verify_url="https://hn.example.gov.cn/verify/",
        )
    )

    def der(c):  # type: ignore[no-untyped-def]
        return asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))

    signer = signers.SimpleSigner(
        signing_cert=der(leaf.certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            leaf.private_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
        cert_registry=SimpleCertificateStore.from_certs([der(root.certificate)]),
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)),
        signers.PdfSignatureMetadata(field_name="Seal"),
        signer=signer,
    )
    return out.getvalue()


def _record(licence_type, foreign_platform, serial: str = "20250000001", **overrides):
    identifier = make_identifier(licence_type.code, FOREIGN_ISSUER, serial, 1)
    record = {
        "identifier": identifier,
        "type_code": licence_type.code,
        "holder_name": "李娜",
        "holder_code": "11010519491231002X",
        "holder_code_type": "居民身份证",
        "issuer_name": "湖南省市场监督管理局",
        "issuer_code": FOREIGN_ISSUER,
        "issued_on": "2025-06-01",
        "valid_until": "2030-05-31",
        "data": factories.food_data(),
        "pdf": base64.b64encode(_foreign_pdf(foreign_platform, identifier)).decode(),
        "source_platform": "湖南省一体化在线政务服务平台",
    }
    record.update(overrides)
    return record


@pytest.fixture
def trusted(foreign_platform, issuer_bundle):
    root, _ = foreign_platform
    admin = factories.make_staff(issuer_bundle[0], "import_admin", ("admin",))
    seal_services.import_trusted_ca(root.certificate_pem, name="外省平台根 CA", actor=admin)
    return admin


def test_import_after_mutual_recognition(licence_type, foreign_platform, trusted):
    created = services.import_licences([_record(licence_type, foreign_platform)], actor=trusted)
    licence = created[0]
    assert licence.imported and licence.holder_name == "李娜"
    result = services.verify_identifier(licence.identifier, check_document=True)
    assert result.ok, result


def test_untrusted_seal_is_refused(licence_type, foreign_platform, db):
    with pytest.raises(DomainError) as excinfo:
        services.import_licences([_record(licence_type, foreign_platform)])
    assert "records.0.pdf" in excinfo.value.fields
    assert "不可信" in excinfo.value.fields["records.0.pdf"][0]


def test_all_or_nothing_with_errors_by_record_and_field(licence_type, foreign_platform, trusted):
    good = _record(licence_type, foreign_platform, "20250000001")
    bad_check = _record(licence_type, foreign_platform, "20250000002")
    bad_check["identifier"] = bad_check["identifier"][:-1] + (
        "0" if bad_check["identifier"][-1] != "0" else "1"
    )
    bad_data = _record(licence_type, foreign_platform, "20250000003")
    bad_data["data"] = {**bad_data["data"], "category": "网店"}
    tampered = _record(licence_type, foreign_platform, "20250000004")
    raw = bytearray(base64.b64decode(tampered["pdf"]))
    index = raw.find(b"/Title")
    raw[index + 8] = (raw[index + 8] + 1) % 256
    tampered["pdf"] = base64.b64encode(bytes(raw)).decode()
    missing = {"identifier": good["identifier"]}
    with pytest.raises(DomainError) as excinfo:
        services.import_licences([good, bad_check, bad_data, tampered, missing], actor=trusted)
    fields = excinfo.value.fields
    assert "records.1.identifier" in fields
    assert "records.2.data.category" in fields
    assert "records.3.pdf" in fields
    assert "records.4.type_code" in fields
    assert not any(key.startswith("records.0") for key in fields)
    assert not Licence.objects.exists()


def test_only_admins_import(licence_type, foreign_platform, approver):
    with pytest.raises(DomainError) as excinfo:
        services.import_licences([_record(licence_type, foreign_platform)], actor=approver)
    assert excinfo.value.status == 403


def test_management_command(licence_type, foreign_platform, trusted, tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(
        json.dumps({"records": [_record(licence_type, foreign_platform)], "source": "湖南"}), encoding="utf-8"
    )
    out = io.StringIO()
    call_command("licences_import", str(path), stdout=out)
    assert "已导入 1 条" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps([_record(licence_type, foreign_platform, "20250000009", data={})]), encoding="utf-8"
    )
    with pytest.raises(CommandError) as excinfo:
        call_command("licences_import", str(bad))
    assert "records.0.data.number" in str(excinfo.value)
