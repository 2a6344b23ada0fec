"""Every cases endpoint refuses users who may not use it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


@pytest.fixture
def case_body(item, citizen):
    materials = {m.name: str(m.public_id) for m in item.materials.all()}
    response = token_client(citizen).post(
        "/api/v1/cases",
        {
            "item_id": str(item.public_id),
            "form_data": json.dumps({"shop_name": "小店"}),
            f"material_{materials['营业执照']}": pdf_upload(),
            f"material_{materials['经营场所证明']}": pdf_upload(),
        },
    )
    assert response.status_code == 201
    return response.json()


APPLICANT_ENDPOINTS = [
    ("get", "/api/v1/cases/{id}"),
    ("get", "/api/v1/cases/{id}/result"),
    ("post", "/api/v1/cases/{id}/corrections"),
    ("post", "/api/v1/cases/{id}/withdraw"),
]
STAFF_ENDPOINTS = [
    ("get", "/api/v1/workbench/cases/{id}"),
    ("post", "/api/v1/workbench/cases/{id}/accept"),
    ("post", "/api/v1/workbench/cases/{id}/refuse-acceptance"),
    ("post", "/api/v1/workbench/cases/{id}/request-correction"),
    ("post", "/api/v1/workbench/cases/{id}/decide"),
]
STAFF_PAYLOADS = {
    "accept": {},
    "refuse-acceptance": {"reason": "x"},
    "request-correction": {"items": [{"name": "x", "reason": "y"}]},
    "decide": {"approve": True},
}


def _call(client, method, url):
    if method == "get":
        return client.get(url)
    payload = STAFF_PAYLOADS.get(url.rsplit("/", 1)[-1], {})
    return client.post(url, payload, content_type="application/json")


@pytest.mark.parametrize(
    ("method", "url"),
    APPLICANT_ENDPOINTS + STAFF_ENDPOINTS + [("get", "/api/v1/cases"), ("get", "/api/v1/workbench/todo")],
)
def test_anonymous_gets_401(case_body, method, url):
    response = _call(Client(), method, url.format(id=case_body["id"]))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "url"), APPLICANT_ENDPOINTS + STAFF_ENDPOINTS)
def test_other_citizen_gets_404_or_403(case_body, other_citizen, method, url):
    response = _call(token_client(other_citizen), method, url.format(id=case_body["id"]))
    assert response.status_code in (403, 404)
    assert response.json()["code"] in ("not_found", "permission_denied")


@pytest.mark.parametrize(("method", "url"), STAFF_ENDPOINTS)
def test_clerk_of_another_department_cannot_see_or_act(case_body, foreign_clerk, method, url):
    response = _call(token_client(foreign_clerk), method, url.format(id=case_body["id"]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_citizen_cannot_use_the_workbench(case_body, citizen):
    response = token_client(citizen).get("/api/v1/workbench/todo")
    assert response.status_code == 403
    response = token_client(citizen).post(
        f"/api/v1/workbench/cases/{case_body['id']}/accept", {}, content_type="application/json"
    )
    assert response.status_code == 403


def test_clerk_cannot_approve_and_approver_cannot_accept(case_body, clerk, approver):
    case_id = case_body["id"]
    response = token_client(approver).post(
        f"/api/v1/workbench/cases/{case_id}/accept", {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"
    token_client(clerk).post(f"/api/v1/workbench/cases/{case_id}/accept", {}, content_type="application/json")
    response = token_client(clerk).post(
        f"/api/v1/workbench/cases/{case_id}/decide", {"approve": True}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "role_required"


def test_staff_cannot_apply(item, clerk):
    response = token_client(clerk).post("/api/v1/cases", {"item_id": str(item.public_id), "form_data": "{}"})
    assert response.status_code == 403


def test_revoked_and_bogus_tokens_are_refused(citizen):
    from yiwang.accounts.services import issue_api_token

    token = issue_api_token(citizen)
    client = Client(headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/v1/accounts/me").status_code == 200
    assert client.delete("/api/v1/accounts/token").status_code == 200
    assert client.get("/api/v1/accounts/me").status_code == 401
    assert Client(headers={"Authorization": "Bearer yw_forged"}).get("/api/v1/accounts/me").status_code == 401


def test_my_cases_list_is_scoped_and_query_bounded(
    case_body, citizen, other_citizen, django_assert_max_num_queries
):
    client = token_client(citizen)
    with django_assert_max_num_queries(6):
        mine = client.get("/api/v1/cases").json()
    assert [c["id"] for c in mine["items"]] == [case_body["id"]]
    assert token_client(other_citizen).get("/api/v1/cases").json()["count"] == 0


def test_todo_list_query_count_does_not_grow_with_cases(item, citizen, clerk, django_assert_max_num_queries):
    client = token_client(citizen)
    materials = {m.name: str(m.public_id) for m in item.materials.all()}
    for _ in range(5):
        client.post(
            "/api/v1/cases",
            {
                "item_id": str(item.public_id),
                "form_data": json.dumps({"shop_name": "小店"}),
                f"material_{materials['营业执照']}": pdf_upload(),
                f"material_{materials['经营场所证明']}": pdf_upload(),
            },
        )
    staff = token_client(clerk)
    with django_assert_max_num_queries(8):
        todo = staff.get("/api/v1/workbench/todo").json()
    assert todo["count"] == 5
