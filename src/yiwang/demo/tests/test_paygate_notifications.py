"""The simulated payment gateway's notifications, sent by its own process to a real HTTP receiver:
signed, retried, late, duplicated, out of order, dropped; refund results too."""

from __future__ import annotations

import time

import pytest

from yiwang.testing.paygate import MERCHANT, Gateway, Receiver


@pytest.fixture
def gateway(paygate):
    return paygate


@pytest.fixture
def receiver(paygate_receiver):
    return paygate_receiver


def _states(gateway: Gateway, order_no: str) -> list[str]:
    return [row["state"] for row in gateway.notifications(order_no)]


def _wait_states(gateway: Gateway, order_no: str, expected: list[str], timeout: float = 8.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while (states := _states(gateway, order_no)) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return states


def test_payment_notification_is_signed_and_complete(gateway: Gateway, receiver: Receiver):
    order = gateway.create_order("NT-PAID-1", receiver, amount_fen=4_200)
    gateway.pay(order["gateway_trade_no"], page="/h5?via=qr")
    [got] = receiver.wait("NT-PAID-1", 1)
    assert got.signature_ok
    body = got.body
    paid = gateway.get("/api/pay/orders/NT-PAID-1").json()
    assert body == {
        "notification_id": body["notification_id"],
        "type": "payment",
        "order_no": "NT-PAID-1",
        "gateway_trade_no": order["gateway_trade_no"],
        "status": "paid",
        "amount_fen": 4_200,
        "paid_at": paid["paid_at"],
        "channel": "qr",
    }
    assert _wait_states(gateway, "NT-PAID-1", ["delivered"]) == ["delivered"]
    time.sleep(0.3)
    assert len(receiver.for_order("NT-PAID-1")) == 1  # delivered once, not again


def test_failed_answers_are_retried_with_fresh_signatures(gateway: Gateway, receiver: Receiver):
    receiver.failures["NT-RETRY-1"] = 2
    order = gateway.create_order("NT-RETRY-1", receiver)
    gateway.pay(order["gateway_trade_no"])
    got = receiver.wait("NT-RETRY-1", 3)
    assert len(got) == 3 and all(r.signature_ok for r in got)
    assert len({r.body["notification_id"] for r in got}) == 1
    assert len({r.headers["X-Paygate-Nonce"] for r in got}) == 3
    assert got[1].at - got[0].at >= 0.15 and got[2].at - got[1].at >= 0.4  # schedule 0.2, 0.5, 1
    assert _wait_states(gateway, "NT-RETRY-1", ["delivered"]) == ["delivered"]
    assert gateway.notifications("NT-RETRY-1")[0]["attempts"] == 3


def test_a_receiver_that_never_answers_ok_is_given_up(gateway: Gateway, receiver: Receiver):
    receiver.always_fail.add("NT-GIVEUP-1")
    order = gateway.create_order("NT-GIVEUP-1", receiver)
    gateway.pay(order["gateway_trade_no"])
    assert _wait_states(gateway, "NT-GIVEUP-1", ["given_up"]) == ["given_up"]
    assert len(receiver.for_order("NT-GIVEUP-1")) == 4  # first attempt + 3 retries
    assert gateway.get("/api/pay/orders/NT-GIVEUP-1").json()["status"] == "paid"  # the query still tells


def test_duplicates_and_delay(gateway: Gateway, receiver: Receiver):
    order = gateway.create_order("NT-DUP-1", receiver)
    gateway.behave("NT-DUP-1", duplicate=2, delay_s=0.8)
    started = time.monotonic()
    gateway.pay(order["gateway_trade_no"])
    assert receiver.wait("NT-DUP-1", 1, timeout=0.5) == []  # late
    got = receiver.wait("NT-DUP-1", 3)
    assert got[0].at - started >= 0.7
    assert len(got) == 3 and all(r.signature_ok for r in got)
    assert len({r.body["notification_id"] for r in got}) == 1
    assert len({r.headers["X-Paygate-Nonce"] for r in got}) == 3
    rows = gateway.notifications("NT-DUP-1")
    assert sorted(row["duplicate"] for row in rows) == [False, True, True]


def test_dropped_notifications_are_never_sent(gateway: Gateway, receiver: Receiver):
    order = gateway.create_order("NT-DROP-1", receiver)
    gateway.behave("NT-DROP-1", drop=True)
    gateway.pay(order["gateway_trade_no"])
    assert receiver.wait("NT-DROP-1", 1, timeout=0.6) == []
    assert _states(gateway, "NT-DROP-1") == ["dropped"]
    assert gateway.get("/api/pay/orders/NT-DROP-1").json()["status"] == "paid"


def test_reorder_delivers_the_later_state_first(gateway: Gateway, receiver: Receiver):
    order = gateway.create_order("NT-ORDER-1", receiver)
    gateway.behave("NT-ORDER-1", reorder=True)
    gateway.pay(order["gateway_trade_no"], result="fail")
    assert gateway.get("/api/pay/orders/NT-ORDER-1").json()["status"] == "failed"
    gateway.pay(order["gateway_trade_no"])  # the payer tries again
    got = receiver.wait("NT-ORDER-1", 2)
    assert [r.body["status"] for r in got] == ["paid", "failed"]
    assert all(r.signature_ok for r in got)


def _refund(gateway: Gateway, receiver: Receiver, order_no: str, refund_no: str, amount: int):
    body = {
        "merchant_id": MERCHANT,
        "order_no": order_no,
        "refund_no": refund_no,
        "amount_fen": amount,
        "reason": "撤回申请",
        "notify_url": receiver.url,
    }
    return gateway.post("/api/pay/refunds", body)


def test_refund_results_are_notified(gateway: Gateway, receiver: Receiver):
    order = gateway.create_order("NT-REFUND-1", receiver, amount_fen=3_000)
    gateway.pay(order["gateway_trade_no"])
    assert _refund(gateway, receiver, "NT-REFUND-1", "NT-R-1", 1_000).status_code == 201
    got = receiver.wait("NT-REFUND-1", 2)
    refund = got[1].body
    assert got[1].signature_ok
    assert refund["type"] == "refund" and refund["status"] == "refunded" and refund["refund_no"] == "NT-R-1"
    assert refund["amount_fen"] == 1_000 and refund["channel"] == "pc"
    assert gateway.get("/api/pay/refunds/NT-R-1").json()["status"] == "refunded"


def test_a_failed_refund_is_notified_and_frees_its_amount(gateway: Gateway, receiver: Receiver):
    order = gateway.create_order("NT-REFUND-2", receiver, amount_fen=3_000)
    gateway.behave("NT-REFUND-2", fail_refund=True)
    gateway.pay(order["gateway_trade_no"])
    assert _refund(gateway, receiver, "NT-REFUND-2", "NT-R-2", 3_000).status_code == 201
    got = receiver.wait("NT-REFUND-2", 2)
    assert got[1].body["status"] == "refund_failed" and got[1].body["refund_no"] == "NT-R-2"
    assert gateway.get("/api/pay/refunds/NT-R-2").json()["status"] == "failed"
    assert _refund(gateway, receiver, "NT-REFUND-2", "NT-R-3", 3_000).status_code == 201
