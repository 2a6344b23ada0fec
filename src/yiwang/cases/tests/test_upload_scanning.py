"""Malware scanning of applicant uploads (cases.uploads + core.scanning): a file with the EICAR test
string is refused with 422 ``file_infected`` and an audit entry, nothing is stored; with clamd
configured the daemon decides, and an unreachable daemon refuses the upload (503, fail closed)."""

from __future__ import annotations

import pytest

from yiwang.cases.models import Case
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import pdf_upload
from yiwang.core.models import AuditEvent
from yiwang.core.scanning import EICAR
from yiwang.testing.clamd import fake_clamd

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]

INFECTED = b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"


def _apply(client, item, upload):
    materials = {m.name: str(m.public_id) for m in item.materials.all()}
    data = {
        "item_id": str(item.public_id),
        "form_data": '{"shop_name": "小店"}',
        f"material_{materials['营业执照']}": upload,
        f"material_{materials['经营场所证明']}": pdf_upload(),
    }
    return client.post("/api/v1/cases", data)


def test_eicar_upload_is_refused_and_audited(item, citizen, media_root, settings):
    settings.YIWANG_CLAMD = ""
    response = _apply(token_client(citizen), item, pdf_upload("licence.pdf", INFECTED))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "file_infected"
    assert "恶意代码" in body["message"] and "licence.pdf" in body["message"]
    assert Case.objects.count() == 0
    event = AuditEvent.objects.get(action="upload.infected")
    assert event.detail["file"] == "licence.pdf"
    assert event.detail["signature"] == "EICAR-Test-File" and event.detail["scanner"] == "eicar-builtin"


def test_a_clean_upload_passes_the_scan(item, citizen, media_root, settings):
    with fake_clamd() as daemon:
        settings.YIWANG_CLAMD = daemon.address
        response = _apply(token_client(citizen), item, pdf_upload())
    assert response.status_code == 201, response.content
    assert len(daemon.streams) == 2  # both materials went through clamd


def test_clamd_decides_when_configured(item, citizen, media_root, settings):
    with fake_clamd() as daemon:
        settings.YIWANG_CLAMD = daemon.address
        response = _apply(token_client(citizen), item, pdf_upload("licence.pdf", INFECTED))
    assert response.status_code == 422 and response.json()["code"] == "file_infected"
    assert AuditEvent.objects.get(action="upload.infected").detail["signature"] == "Eicar-Signature"


def test_an_unreachable_clamd_refuses_the_upload(item, citizen, media_root, settings, tmp_path):
    settings.YIWANG_CLAMD = f"unix:{tmp_path / 'nothing.sock'}"
    settings.YIWANG_CLAMD_TIMEOUT = 1
    response = _apply(token_client(citizen), item, pdf_upload())
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "file_scan_unavailable"
    assert Case.objects.count() == 0
    assert AuditEvent.objects.filter(action="upload.scan_unavailable").exists()
