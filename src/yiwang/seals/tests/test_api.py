"""The seals API: every endpoint's authorisation, the lifecycle over HTTP, stamping and verification."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.seals.models import CertificateAuthority, SealStatus
from yiwang.seals.tests.test_stamping import _document
from yiwang.testing.cases import OrganisationFactory, make_citizen, make_staff
from yiwang.testing.clients import token_client

pytestmark = pytest.mark.django_db


def _pdf(content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile("doc.pdf", content or _document(), content_type="application/pdf")


def test_lifecycle_stamp_and_verify_over_http(organisation, manager, seal_admin, clerk):
    applicant = token_client(manager)
    admin = token_client(seal_admin)
    created = applicant.post(
        "/api/v1/seals",
        {"organisation_id": str(organisation.public_id), "name": "行政审批专用章", "seal_type": "approval"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    seal_id = created.json()["id"]
    assert (
        admin.post(
            f"/api/v1/seals/{seal_id}/review", {"approve": True}, content_type="application/json"
        ).status_code
        == 200
    )
    for step in ("make", "file", "issue"):
        response = admin.post(f"/api/v1/seals/{seal_id}/{step}")
        assert response.status_code == 200, (step, response.content)
    assert response.json()["status"] == SealStatus.ISSUED
    granted = applicant.post(
        f"/api/v1/seals/{seal_id}/authorisations", {"username": "clerk"}, content_type="application/json"
    )
    assert granted.status_code == 201
    stamped = token_client(clerk).post(
        f"/api/v1/seals/{seal_id}/stamp", {"file": _pdf(), "reason": "准予许可"}
    )
    assert stamped.status_code == 200, stamped.content
    assert stamped["Content-Type"] == "application/pdf"
    verified = Client().post("/api/v1/seals/verify", {"file": _pdf(stamped.content)})
    assert verified.status_code == 200
    body = verified.json()
    assert body["ok"] is True
    assert body["signatures"][0]["organisation"] == organisation.name
    log = applicant.get(f"/api/v1/seals/{seal_id}/stampings").json()
    assert [entry["reason"] for entry in log] == ["准予许可"]
    authority = CertificateAuthority.objects.get(kind="intermediate")
    crl = Client().get(f"/api/v1/seals/authorities/{authority.public_id}/crl")
    assert crl.status_code == 200
    assert crl["Content-Type"] == "application/pkix-crl"


STAFF_ENDPOINTS = [
    ("get", "/api/v1/seals"),
    ("get", "/api/v1/seals/{id}"),
    ("post", "/api/v1/seals/{id}/review"),
    ("post", "/api/v1/seals/{id}/make"),
    ("post", "/api/v1/seals/{id}/file"),
    ("post", "/api/v1/seals/{id}/issue"),
    ("post", "/api/v1/seals/{id}/authorisations"),
    ("post", "/api/v1/seals/{id}/report-loss"),
    ("post", "/api/v1/seals/{id}/destroy"),
    ("post", "/api/v1/seals/{id}/stamp"),
    ("get", "/api/v1/seals/{id}/stampings"),
    ("post", "/api/v1/seals/trusted-authorities"),
]
PAYLOADS = {
    "review": {"approve": True},
    "authorisations": {"username": "clerk"},
    "report-loss": {"reason": "x"},
    "destroy": {"reason": "x"},
    "trusted-authorities": {"name": "x", "pem": "x"},
}


def _call(client, method, url):
    if method == "get":
        return client.get(url)
    key = url.rsplit("/", 1)[-1]
    if key == "stamp":
        return client.post(url, {"file": _pdf(), "reason": "x"})
    return client.post(url, PAYLOADS.get(key, {}), content_type="application/json")


@pytest.mark.parametrize(("method", "url"), STAFF_ENDPOINTS)
def test_anonymous_is_401(issued_seal, method, url):
    response = _call(Client(), method, url.format(id=issued_seal.public_id))
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "url"), STAFF_ENDPOINTS)
def test_citizen_is_403(issued_seal, method, url):
    response = _call(token_client(make_citizen("citizen")), method, url.format(id=issued_seal.public_id))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(("method", "url"), [e for e in STAFF_ENDPOINTS if "{id}" in e[1]])
def test_staff_of_another_organisation_gets_404(issued_seal, method, url):
    outsider = make_staff(OrganisationFactory(name="合肥市民政局"), "outsider", ("service_manager",))
    response = _call(token_client(outsider), method, url.format(id=issued_seal.public_id))
    assert response.status_code == 404


def test_clerk_without_authorisation_cannot_stamp(issued_seal, organisation):
    other_clerk = make_staff(organisation, "clerk_b", ("window_clerk",))
    response = token_client(other_clerk).post(
        f"/api/v1/seals/{issued_seal.public_id}/stamp", {"file": _pdf(), "reason": "x"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "seal_not_authorised"


def test_verify_rejects_non_pdf_clearly():
    response = Client().post("/api/v1/seals/verify", {"file": SimpleUploadedFile("x.pdf", b"hello")})
    assert response.status_code == 200
    assert response.json()["ok"] is False
    assert response.json()["error"]
