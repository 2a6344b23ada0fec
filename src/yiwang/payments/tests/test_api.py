"""The payments API: who may call each endpoint (401 / 403 / 404), the payer's and finance's
views, paying, window payments, refunds, events, bad input, and the queries a list costs."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.payments import services
from yiwang.payments.models import OrderStatus
from yiwang.testing.clients import token_client
from yiwang.testing.payments import make_order

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def order(world):
    return make_order(world)


def test_anonymous_gets_401_everywhere(world, order):
    anonymous = Client()
    base = f"/api/v1/payments/orders/{order.public_id}"
    assert anonymous.get("/api/v1/payments/orders").status_code == 401
    assert anonymous.get(base).status_code == 401
    assert anonymous.get(f"{base}/events").status_code == 401
    assert anonymous.post(f"{base}/pay", {}, content_type=JSON).status_code == 401
    assert anonymous.post(f"{base}/offline", {"receipt_no": "1"}, content_type=JSON).status_code == 401
    assert (
        anonymous.post(f"{base}/refunds", {"amount_fen": 1, "reason": "x"}, content_type=JSON).status_code
        == 401
    )


def test_who_sees_which_orders(world, order, django_assert_max_num_queries):
    foreign = make_order(world, payer=world.other_citizen)
    mine = token_client(world.citizen).get("/api/v1/payments/orders").json()
    assert [row["code"] for row in mine["results"]] == [order.code]
    assert mine["results"][0]["payer_name"] == "张伟"
    finance = token_client(world.finance)
    for _ in range(3):
        make_order(world)
    with django_assert_max_num_queries(12):
        rows = finance.get("/api/v1/payments/orders?limit=50").json()
    assert rows["count"] == 5 and rows["results"][0]["payer_name"] != "张伟"  # masked for staff
    assert token_client(world.other_finance).get("/api/v1/payments/orders").json()["count"] == 0
    assert token_client(world.approver).get("/api/v1/payments/orders").json()["count"] == 0
    assert token_client(world.clerk).get("/api/v1/payments/orders").json()["count"] == 5
    other = token_client(world.other_citizen)
    assert other.get(f"/api/v1/payments/orders/{order.public_id}").status_code == 404
    assert other.get(f"/api/v1/payments/orders/{order.public_id}/events").status_code == 404
    assert other.get(f"/api/v1/payments/orders/{foreign.public_id}").status_code == 200
    assert (
        token_client(world.other_finance).get(f"/api/v1/payments/orders/{order.public_id}").status_code == 404
    )
    detail = finance.get(f"/api/v1/payments/orders/{order.public_id}").json()
    assert detail["lines"][0]["net_fen"] == 5000 and detail["allowed_actions"] == ["offline"]
    bad = finance.get("/api/v1/payments/orders?limit=100000")
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
    assert finance.get("/api/v1/payments/orders/not-a-uuid").status_code == 404


def test_pay_endpoint(world, order, stub):
    url = f"/api/v1/payments/orders/{order.public_id}/pay"
    assert token_client(world.finance).post(url, {}, content_type=JSON).status_code == 404
    assert token_client(world.other_citizen).post(url, {}, content_type=JSON).status_code == 404
    bad = token_client(world.citizen).post(url, {"channel": "bitcoin"}, content_type=JSON)
    assert bad.status_code == 422
    started = token_client(world.citizen).post(url, {"channel": "h5"}, content_type=JSON)
    assert started.status_code == 200, started.content
    assert started.json()["pay_url"].startswith(stub.base_url) and started.json()["status"] == "paying"
    stub.down = True
    other = make_order(world)
    down = token_client(world.citizen).post(
        f"/api/v1/payments/orders/{other.public_id}/pay", {}, content_type=JSON
    )
    assert down.status_code == 503 and down.json()["code"] == "payment_gateway_unavailable"


def test_offline_endpoint(world, order):
    url = f"/api/v1/payments/orders/{order.public_id}/offline"
    body = {"receipt_no": "PJ0001", "channel": "cash"}
    assert token_client(world.citizen).post(url, body, content_type=JSON).status_code == 403
    assert token_client(world.approver).post(url, body, content_type=JSON).status_code == 404  # not visible
    assert token_client(world.other_finance).post(url, body, content_type=JSON).status_code == 404
    assert token_client(world.clerk).post(url, {"receipt_no": ""}, content_type=JSON).status_code == 422
    paid = token_client(world.clerk).post(url, body, content_type=JSON)
    assert paid.status_code == 200 and paid.json()["status"] == OrderStatus.PAID
    again = token_client(world.clerk).post(url, body, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "payment_invalid_transition"


def test_refund_endpoint_and_events(world, order):
    services.record_offline_payment(order, actor=world.clerk, receipt_no="PJ1")
    url = f"/api/v1/payments/orders/{order.public_id}/refunds"
    body = {"amount_fen": 1000, "reason": "多收"}
    assert token_client(world.citizen).post(url, body, content_type=JSON).status_code == 403
    assert token_client(world.clerk).post(url, body, content_type=JSON).status_code == 403
    assert token_client(world.other_finance).post(url, body, content_type=JSON).status_code == 404
    finance = token_client(world.finance)
    assert finance.post(url, {"amount_fen": 0, "reason": "x"}, content_type=JSON).status_code == 422
    assert finance.post(url, {"amount_fen": 1.5, "reason": "x"}, content_type=JSON).status_code == 422
    too_much = finance.post(url, {"amount_fen": 5001, "reason": "x"}, content_type=JSON)
    assert too_much.status_code == 409 and too_much.json()["code"] == "payment_refund_exceeds"
    created = finance.post(url, body, content_type=JSON)
    assert created.status_code == 201 and created.json()["status"] == "refunded"
    events = finance.get(f"/api/v1/payments/orders/{order.public_id}/events").json()
    assert [e["event_type"] for e in events] == ["created", "paid", "refund_requested", "refunded"]
    own = token_client(world.citizen).get(f"/api/v1/payments/orders/{order.public_id}/events").json()
    assert len(own) == 4 and all(e["data"] == {} for e in own)
