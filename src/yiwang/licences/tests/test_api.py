"""The /api/v1/licences API: every endpoint's authorisation, the error shape, and the main flows."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yiwang.accounts.services import issue_api_token
from yiwang.licences import services
from yiwang.licences.tests import factories

pytestmark = pytest.mark.django_db
BASE = "/api/v1/licences"


def _client(user=None) -> Client:
    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Bearer {issue_api_token(user)}"})


@pytest.fixture
def clerk(issuer):
    return factories.make_staff(issuer, "api_clerk", ("window_clerk",))


# (method, path template, json body) for every endpoint that needs a login
AUTHENTICATED = [
    ("get", "/mine", None),
    ("get", "/mine/{licence}", None),
    ("get", "/mine/{licence}/document", None),
    ("get", "/mine/{licence}/uses", None),
    ("get", "/uses", None),
    ("post", "/mine/{licence}/shares", {"expiry": "1h"}),
    ("get", "/mine/{licence}/shares", None),
    ("post", "/shares/{random}/revoke", {}),
    ("get", "/consents", None),
    ("post", "/consents", {"organisation_id": "{random}", "valid_until": "2030-01-01"}),
    ("post", "/consents/{random}/revoke", {}),
    ("post", "/issue", {"type_code": "X" * 21, "holder_name": "a", "holder_code": "b", "data": {}}),
    ("get", "/lookup?holder_code=x", None),
    ("post", "/{licence}/use", {"purpose": "x"}),
    ("post", "/{licence}/revoke", {"reason": "x"}),
    ("post", "/{licence}/suspend", {"reason": "x"}),
    ("post", "/{licence}/resume", {"reason": "x"}),
    ("post", "/{licence}/change", {"reason": "x"}),
    ("post", "/import", {"records": []}),
]
STAFF_ONLY = [
    entry for entry in AUTHENTICATED if entry[1].startswith(("/issue", "/lookup", "/{licence}/", "/import"))
]


def _call(client: Client, method: str, path: str, body, licence) -> object:
    path = path.replace("{licence}", str(licence.public_id)).replace("{random}", str(uuid.uuid4()))
    if body is not None:
        body = {
            k: (v.replace("{random}", str(uuid.uuid4())) if isinstance(v, str) else v)
            for k, v in body.items()
        }
        return getattr(client, method)(BASE + path, body, content_type="application/json")
    return getattr(client, method)(BASE + path)


@pytest.mark.parametrize(("method", "path", "body"), AUTHENTICATED)
def test_anonymous_is_refused(method, path, body, licence):
    response = _call(_client(), method, path, body, licence)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ONLY)
def test_applicants_cannot_use_staff_endpoints(method, path, body, licence, citizen):
    response = _call(_client(citizen), method, path, body, licence)
    assert response.status_code == 403
    assert set(response.json()) == {"code", "message", "fields"}


@pytest.mark.parametrize(("method", "path", "body"), [e for e in AUTHENTICATED if e[1].startswith("/mine/")])
def test_other_citizens_do_not_see_my_licence(method, path, body, licence):
    stranger = factories.make_citizen("stranger")
    response = _call(_client(stranger), method, path, body, licence)
    assert response.status_code == 404


def test_public_endpoints_need_no_login(licence, citizen):
    client = _client()
    assert client.get(f"{BASE}/types").status_code == 200
    body = client.get(f"{BASE}/verify/{licence.identifier}?document=true").json()
    assert body["ok"] and body["status"] == "valid" and body["signature_ok"]
    assert body["holder_code_masked"].startswith("*")
    upload = SimpleUploadedFile("l.pdf", services.document_bytes(licence), content_type="application/pdf")
    assert client.post(f"{BASE}/verify", {"file": upload}).json()["document_matches"] is True
    bad = client.get(f"{BASE}/verify/1.2.156.3005.2.X")
    assert bad.status_code == 400 and bad.json()["code"] == "licence_invalid_identifier"
    _, token = services.create_share(licence, user=citizen, expiry="1h")
    shared = client.get(f"{BASE}/shared/{token}")
    assert shared.status_code == 200 and shared.json()["verification"]["ok"]
    assert client.get(f"{BASE}/shared/nope").status_code == 404


def test_wallet_flow(licence, citizen, issuer, django_assert_max_num_queries):
    client = _client(citizen)
    with django_assert_max_num_queries(8):
        listed = client.get(f"{BASE}/mine").json()
    assert [item["identifier"] for item in listed] == [licence.identifier]
    assert client.get(f"{BASE}/mine/{licence.public_id}").json()["data"]["number"]
    pdf = client.get(f"{BASE}/mine/{licence.public_id}/document")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    created = client.post(
        f"{BASE}/mine/{licence.public_id}/shares", {"expiry": "1d"}, content_type="application/json"
    )
    assert created.status_code == 201 and "/licences/shared/" in created.json()["url"]
    share_id = created.json()["id"]
    assert client.post(f"{BASE}/shares/{share_id}/revoke").json()["revoked_at"]
    consent = client.post(
        f"{BASE}/consents",
        {
            "organisation_id": str(issuer.public_id),
            "licence_id": str(licence.public_id),
            "valid_until": str(date.today()),
        },
        content_type="application/json",
    )
    assert consent.status_code == 201
    assert client.post(f"{BASE}/consents/{consent.json()['id']}/revoke").json()["revoked_at"]
    wrong = client.post(
        f"{BASE}/mine/{licence.public_id}/shares", {"expiry": "1y"}, content_type="application/json"
    )
    assert wrong.status_code == 422


def test_staff_flow(licence, approver, clerk, citizen, licence_type):
    found = (
        _client(clerk)
        .get(f"{BASE}/lookup", {"holder_code": licence.holder_code, "type_code": licence_type.code})
        .json()
    )
    assert [f["identifier"] for f in found] == [licence.identifier]
    refused = _client(clerk).post(
        f"{BASE}/{licence.public_id}/use", {"purpose": "审核"}, content_type="application/json"
    )
    assert refused.status_code == 403 and refused.json()["code"] == "licence_use_refused"
    used = _client(clerk).post(
        f"{BASE}/{licence.public_id}/use",
        {"purpose": "审核", "legal_basis": "《食品安全法》第三十五条"},
        content_type="application/json",
    )
    assert used.status_code == 200 and used.json()["trust_level"] == "A"
    uses = _client(citizen).get(f"{BASE}/mine/{licence.public_id}/uses").json()
    assert uses[0]["organisation"] == licence.issuer_name
    # a clerk may not change the licence's state; the approver may
    assert (
        _client(clerk)
        .post(f"{BASE}/{licence.public_id}/suspend", {"reason": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        _client(approver)
        .post(f"{BASE}/{licence.public_id}/suspend", {"reason": "调查"}, content_type="application/json")
        .json()["status"]
        == "suspended"
    )
    assert (
        _client(approver)
        .post(f"{BASE}/{licence.public_id}/resume", {"reason": ""}, content_type="application/json")
        .json()["status"]
        == "valid"
    )
    changed = _client(approver).post(
        f"{BASE}/{licence.public_id}/change",
        {"reason": "变更", "data": {"area": 130}},
        content_type="application/json",
    )
    assert changed.status_code == 201 and changed.json()["version"] == 2
    new_id = changed.json()["id"]
    revoked = _client(approver).post(
        f"{BASE}/{new_id}/revoke", {"reason": "注销"}, content_type="application/json"
    )
    assert revoked.json()["status"] == "revoked"
    assert not _client().get(f"{BASE}/verify/{changed.json()['identifier']}").json()["ok"]


def test_staff_issue_and_import_roles(approver, clerk, licence_type, citizen):
    payload = {
        "type_code": licence_type.code,
        "holder_name": "张伟",
        "holder_code": citizen.natural_person.id_number,
        "data": factories.food_data(),
    }
    assert _client(clerk).post(f"{BASE}/issue", payload, content_type="application/json").status_code == 403
    issued = _client(approver).post(f"{BASE}/issue", payload, content_type="application/json")
    assert issued.status_code == 201, issued.json()
    invalid = _client(approver).post(
        f"{BASE}/issue", {**payload, "data": {}}, content_type="application/json"
    )
    assert invalid.status_code == 400 and "number" in invalid.json()["fields"]
    assert (
        _client(approver).post(f"{BASE}/import", {"records": []}, content_type="application/json").status_code
        == 403
    )
