"""The simulated payment gateway as a real process: orders, signatures, the payment page, refunds,
the statement file.  Notifications: test_paygate_notifications.py."""

from __future__ import annotations

import csv
import io
import time
from datetime import date, datetime, timedelta

import pytest

from yiwang.core.crypto import sm2_generate_keypair
from yiwang.testing.paygate import MERCHANT, Gateway, Receiver
from yiwang_demo_paygate.signing import canonical_json, get_payload


@pytest.fixture
def gateway(paygate):
    return paygate


@pytest.fixture
def receiver(paygate_receiver):
    return paygate_receiver


def test_create_order_is_idempotent_and_signed(gateway: Gateway, receiver: Receiver):
    first = gateway.create_order("API-IDEM-1", receiver, amount_fen=5_000)
    assert first["status"] == "paying"
    assert first["gateway_trade_no"].startswith("PG") and len(first["gateway_trade_no"]) == 22
    assert first["pay_url"] == f"{gateway.base}/pay/{first['gateway_trade_no']}"
    assert first["qr_text"] == f"{first['pay_url']}/h5?via=qr"
    body = {
        "merchant_id": MERCHANT,
        "order_no": "API-IDEM-1",
        "amount_fen": 5_000,
        "subject": "测试缴费项目",
        "notify_url": receiver.url,
        "return_url": "http://127.0.0.1:9/back",
        "expire_at": (gateway.now() + timedelta(minutes=5)).isoformat(),
    }
    again = gateway.post("/api/pay/orders", body)
    assert again.status_code == 200
    assert again.json() == first
    assert gateway.answer_ok(again)
    conflict = gateway.post("/api/pay/orders", {**body, "amount_fen": 5_001})
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "order_conflict"
    assert gateway.answer_ok(conflict)
    query = gateway.get("/api/pay/orders/API-IDEM-1")
    assert query.status_code == 200 and gateway.answer_ok(query)
    assert query.json()["status"] == "paying" and query.json()["paid_at"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_fen": 12.5}, "amount_fen"),
        ({"amount_fen": "100"}, "amount_fen"),
        ({"amount_fen": True}, "amount_fen"),
        ({"amount_fen": 0}, "amount_fen"),
        ({"order_no": "含中文"}, "order_no"),
        ({"notify_url": "ftp://x/y"}, "notify_url"),
        ({"expire_at": "tomorrow"}, "expire_at"),
        ({"subject": ""}, "subject"),
    ],
)
def test_bad_order_input_is_a_400_with_the_field(gateway: Gateway, receiver: Receiver, change, field):
    body = {
        "merchant_id": MERCHANT,
        "order_no": "API-BAD-1",
        "amount_fen": 100,
        "subject": "测试",
        "notify_url": receiver.url,
        "return_url": "http://127.0.0.1:9/back",
        "expire_at": (gateway.now() + timedelta(minutes=5)).isoformat(),
        **change,
    }
    response = gateway.post("/api/pay/orders", body)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert field in response.json()["fields"]


def test_unknown_merchant_and_unknown_order(gateway: Gateway):
    response = gateway.post("/api/pay/orders", {"merchant_id": "OTHER", "order_no": "X"})
    assert response.status_code == 403 and response.json()["code"] == "unknown_merchant"
    missing = gateway.get("/api/pay/orders/NO-SUCH-ORDER")
    assert missing.status_code == 404 and missing.json()["code"] == "order_not_found"
    assert gateway.get("/api/pay/refunds/NO-SUCH-REFUND").json()["code"] == "refund_not_found"


def test_forged_stale_and_replayed_requests_are_refused(gateway: Gateway):
    body = {"merchant_id": MERCHANT, "order_no": "API-SIG-1"}
    payload = canonical_json(body)
    forged = gateway.post(
        "/api/pay/orders", body, headers=gateway.signed(payload, sm2_generate_keypair().private_key_hex)
    )
    assert forged.status_code == 401 and forged.json()["code"] == "bad_signature"
    assert gateway.answer_ok(forged)
    tampered = gateway.post(
        "/api/pay/orders", {**body, "order_no": "API-SIG-2"}, headers=gateway.signed(payload)
    )
    assert tampered.status_code == 401
    assert gateway.post("/api/pay/orders", body, headers={}).status_code == 401
    headers = gateway.signed(payload)
    stale = dict(headers, **{"X-Paygate-Timestamp": str(int(gateway.clock()) - 301)})
    assert gateway.post("/api/pay/orders", body, headers=stale).status_code == 401
    # Signed correctly: passes the signature check (then fails on the missing fields) ...
    first = gateway.post("/api/pay/orders", body, headers=headers)
    assert first.status_code == 400 and first.json()["code"] == "bad_request"
    # ... and the very same request again is a replay.
    replay = gateway.post("/api/pay/orders", body, headers=headers)
    assert replay.status_code == 401 and replay.json()["code"] == "bad_signature"
    # A GET signs its path: a signature for one order does not read another.
    other = gateway.get(
        "/api/pay/orders/API-IDEM-1", headers=gateway.signed(get_payload("/api/pay/orders/X"))
    )
    assert other.status_code == 401


def test_payment_page_pays_and_redirects(gateway: Gateway, receiver: Receiver):
    order = gateway.create_order("API-PAY-1", receiver, amount_fen=123_456)
    page = gateway.session.get(order["pay_url"])
    assert page.status_code == 200
    assert "1,234.56" in page.text and "测试缴费项目" in page.text and "<svg" in page.text
    assert "支付成功" in page.text and "支付失败" in page.text
    h5 = gateway.session.get(order["qr_text"])
    assert h5.status_code == 200 and 'value="qr"' in h5.text and "<svg" not in h5.text
    paid = gateway.pay(order["gateway_trade_no"])
    assert paid.status_code == 303
    assert paid.headers["Location"] == "http://127.0.0.1:9/cases/1/pay/done"
    answer = gateway.get("/api/pay/orders/API-PAY-1").json()
    assert answer["status"] == "paid" and answer["channel"] == "pc" and answer["paid_at"]
    assert "已支付" in gateway.session.get(order["pay_url"]).text
    console = gateway.session.get(f"{gateway.base}/")
    assert console.status_code == 200 and "API-PAY-1" in console.text and "1,234.56" in console.text
    closed = gateway.post("/api/pay/orders/API-PAY-1/close", {})
    assert closed.status_code == 409 and closed.json()["code"] == "order_paid"


def test_closed_order_cannot_be_paid(gateway: Gateway, receiver: Receiver):
    order = gateway.create_order("API-CLOSE-1", receiver)
    closed = gateway.post("/api/pay/orders/API-CLOSE-1/close", {})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert gateway.post("/api/pay/orders/API-CLOSE-1/close", {}).json()["status"] == "closed"
    page = gateway.session.get(order["pay_url"])
    assert "已关闭" in page.text and "支付成功" not in page.text
    refund = gateway.post(
        "/api/pay/refunds",
        {
            "merchant_id": MERCHANT,
            "order_no": "API-CLOSE-1",
            "refund_no": "R-CLOSE-1",
            "amount_fen": 1,
            "reason": "",
            "notify_url": receiver.url,
        },
    )
    assert refund.status_code == 409 and refund.json()["code"] == "order_closed"


def test_an_expired_order_is_closed(gateway: Gateway, receiver: Receiver):
    expire_at = (gateway.now() + timedelta(seconds=1)).isoformat()
    order = gateway.create_order("API-EXPIRE-1", receiver, expire_at=expire_at)
    time.sleep(1.1)
    assert gateway.get("/api/pay/orders/API-EXPIRE-1").json()["status"] == "closed"
    html = gateway.session.get(order["pay_url"]).text
    assert "已关闭" in html and "支付成功" not in html


def _refund(gateway: Gateway, receiver: Receiver, order_no: str, refund_no: str, amount: int):
    body = {
        "merchant_id": MERCHANT,
        "order_no": order_no,
        "refund_no": refund_no,
        "amount_fen": amount,
        "reason": "多缴退费",
        "notify_url": receiver.url,
    }
    return gateway.post("/api/pay/refunds", body)


def test_refund_limits_and_idempotency(gateway: Gateway, receiver: Receiver):
    order = gateway.create_order("API-REF-1", receiver, amount_fen=10_000)
    unpaid = _refund(gateway, receiver, "API-REF-1", "R-1-0", 100)
    assert unpaid.status_code == 409 and unpaid.json()["code"] == "order_not_paid"
    gateway.pay(order["gateway_trade_no"])
    first = _refund(gateway, receiver, "API-REF-1", "R-1-1", 6_000)
    assert first.status_code == 201 and first.json()["status"] == "refunding" and gateway.answer_ok(first)
    assert _refund(gateway, receiver, "API-REF-1", "R-1-1", 6_000).status_code == 200
    assert _refund(gateway, receiver, "API-REF-1", "R-1-1", 5_000).json()["code"] == "refund_conflict"
    too_much = _refund(gateway, receiver, "API-REF-1", "R-1-2", 4_001)
    assert too_much.status_code == 409 and too_much.json()["code"] == "refund_exceeds"
    assert _refund(gateway, receiver, "API-REF-1", "R-1-2", 4_000).status_code == 201
    assert _refund(gateway, receiver, "API-REF-1", "R-1-3", 1).json()["code"] == "refund_exceeds"
    settled = gateway.wait_for("/api/pay/refunds/R-1-2", "status", "refunded")
    assert (
        settled["status"] == "refunded"
        and settled["order_no"] == "API-REF-1"
        and settled["amount_fen"] == 4_000
    )


def test_statement_lists_the_days_payments_and_refunds(gateway: Gateway, receiver: Receiver):
    order = gateway.create_order("API-STMT-1", receiver, amount_fen=2_500)
    gateway.pay(order["gateway_trade_no"], page="/h5")
    omitted = gateway.create_order("API-STMT-2", receiver, amount_fen=700)
    gateway.behave("API-STMT-2", statement_omit=True)
    gateway.pay(omitted["gateway_trade_no"])
    skewed = gateway.create_order("API-STMT-3", receiver, amount_fen=800)
    gateway.behave("API-STMT-3", statement_amount_fen=801, statement_duplicate=True)
    gateway.pay(skewed["gateway_trade_no"])
    assert _refund(gateway, receiver, "API-STMT-1", "R-STMT-1", 500).status_code == 201
    refunded = gateway.wait_for("/api/pay/refunds/R-STMT-1", "status", "refunded")
    paid_at = datetime.fromisoformat(gateway.get("/api/pay/orders/API-STMT-1").json()["paid_at"])
    day = paid_at.date()
    response = gateway.get(f"/api/pay/statements/{day.isoformat()}")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert gateway.answer_ok(response, raw=True)
    text = response.content.decode()
    assert text.endswith("\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["trade_date", "order_no", "gateway_trade_no", "type", "amount_fen", "channel", "time"]
    mine = [row for row in rows[1:] if row[1].startswith("API-STMT")]
    pay_1 = [
        day.isoformat(),
        "API-STMT-1",
        order["gateway_trade_no"],
        "pay",
        "2500",
        "h5",
        paid_at.isoformat(),
    ]
    assert pay_1 in mine
    if datetime.fromisoformat(refunded["refunded_at"]).date() == day:
        assert [r[3:5] for r in mine if r[1] == "API-STMT-1"] == [["pay", "2500"], ["refund", "500"]]
    assert not [r for r in mine if r[1] == "API-STMT-2"]
    assert [r[4] for r in mine if r[1] == "API-STMT-3"] == ["801", "801"]
    assert all(row[0] == day.isoformat() for row in rows[1:])
    future = gateway.get(f"/api/pay/statements/{(day + timedelta(days=2)).isoformat()}")
    assert future.status_code == 404 and future.json()["code"] == "statement_not_ready"
    assert gateway.get("/api/pay/statements/2025-13-01").status_code == 400
    past = gateway.get(f"/api/pay/statements/{date(2020, 1, 1).isoformat()}")
    assert past.status_code == 200 and past.content.decode().count("\n") == 1


def test_sim_control_checks_its_input(gateway: Gateway):
    response = gateway.session.post(
        f"{gateway.base}/api/sim/behaviour", json={"order_no": "X", "duplicate": 99}
    )
    assert response.status_code == 400 and "duplicate" in response.json()["fields"]
    assert gateway.session.get(f"{gateway.base}/api/pay/nothing").json()["code"] == "not_found"
