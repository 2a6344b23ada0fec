"""The receipts API: the payer lists and downloads his own receipts; finance officers of the
collecting department see theirs (payer masked, reads logged); anyone else gets a 404."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from yiwang.core.models import PersonalDataAccess
from yiwang.receipts.tests.factories import normal_receipt, pay_at_window, refund
from yiwang.seals import services as seal_services
from yiwang.testing.clients import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(world, seal, django_capture_on_commit_callbacks):
    order = pay_at_window(world, django_capture_on_commit_callbacks)
    refund(world, django_capture_on_commit_callbacks, order, 2000)
    return order


def test_payer_lists_his_receipts_of_an_order(world, paid, django_assert_max_num_queries):
    client = token_client(world.citizen)
    with django_assert_max_num_queries(7):
        body = client.get("/api/v1/receipts", {"order": str(paid.public_id)}).json()
    assert body["count"] == 2
    red, original = body["results"]  # newest first
    assert original["kind"] == "normal" and original["total_fen"] == 5000
    assert original["payer_name"] == "张伟" and original["payee"] == world.department.name
    assert original["reversal_state"] == "partial" and original["reversed_fen"] == 2000
    assert original["reversal_ids"] == [red["id"]]
    assert original["amount_in_words"] == "伍拾元整"
    assert original["lines"][0]["amount_fen"] == 5000
    assert original["allowed_actions"] == ["download", "view"]
    assert original["verify_url"].endswith(
        f"/verify/receipts/{original['bill_code']}{original['serial']}{original['check_code']}/"
    )
    assert red["kind"] == "red_letter" and red["total_fen"] == -2000 and red["original_id"] == original["id"]
    assert red["original_number"] == original["number"]
    assert client.get("/api/v1/receipts").json()["count"] == 2


def test_list_query_count_does_not_grow(
    world, seal, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(4):
        order = pay_at_window(world, django_capture_on_commit_callbacks)
        refund(world, django_capture_on_commit_callbacks, order, 100)
    citizen, finance = token_client(world.citizen), token_client(world.finance)
    with django_assert_max_num_queries(6):
        assert citizen.get("/api/v1/receipts").json()["count"] == 8
    with django_assert_max_num_queries(8):  # + the data scope, + one insert logging the staff reads
        assert finance.get("/api/v1/receipts").json()["count"] == 8


def test_download_the_sealed_pdf(world, paid):
    receipt = normal_receipt(paid)
    response = token_client(world.citizen).get(f"/api/v1/receipts/{receipt.public_id}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert seal_services.verify_pdf(response.content).ok


def test_finance_of_the_department_sees_them_masked_and_logged(world, paid):
    receipt = normal_receipt(paid)
    finance = token_client(world.finance)
    body = finance.get("/api/v1/receipts", {"order": str(paid.public_id)}).json()
    assert body["count"] == 2 and {r["payer_name"] for r in body["results"]} == {"张*"}
    detail = finance.get(f"/api/v1/receipts/{receipt.public_id}")
    assert detail.status_code == 200 and detail.json()["payer_name"] == "张*"
    assert finance.get(f"/api/v1/receipts/{receipt.public_id}/pdf").status_code == 200
    assert PersonalDataAccess.objects.filter(
        object_type="receipts.Receipt", object_id=str(receipt.public_id)
    ).exists()


@pytest.mark.parametrize("who", ["other_citizen", "other_finance", "clerk", "approver"])
def test_others_get_404_everywhere(world, paid, who):
    receipt = normal_receipt(paid)
    client = token_client(getattr(world, who))
    assert client.get("/api/v1/receipts").json()["count"] == 0
    for url in (
        f"/api/v1/receipts/{receipt.public_id}",
        f"/api/v1/receipts/{receipt.public_id}/pdf",
    ):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "receipts_not_found"
    listed = client.get("/api/v1/receipts", {"order": str(paid.public_id)})
    assert listed.status_code == 404 and listed.json()["code"] == "receipts_not_found"


def test_anonymous_and_bad_input(world, paid):
    receipt = normal_receipt(paid)
    anonymous = Client()
    for url in (
        "/api/v1/receipts",
        f"/api/v1/receipts/{receipt.public_id}",
        f"/api/v1/receipts/{receipt.public_id}/pdf",
    ):
        assert anonymous.get(url).status_code == 401
    client = token_client(world.citizen)
    assert client.get("/api/v1/receipts", {"order": "nope"}).status_code == 422
    assert client.get("/api/v1/receipts", {"order": str(uuid.uuid4())}).status_code == 404
    assert client.get("/api/v1/receipts", {"limit": 100000}).status_code == 422
    assert client.get("/api/v1/receipts", {"offset": -1}).status_code == 422
    assert client.get(f"/api/v1/receipts/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/receipts/not-a-uuid").status_code == 404
