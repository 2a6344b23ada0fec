"""Notifications of the fiscal gateway: signature, timestamp and nonce checks, idempotency by
notification id, and disorder (late, duplicate, out of order, unknown order, wrong amount)."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from yiwang.core.models import AuditEvent
from yiwang.payments import services
from yiwang.payments.gateways import signing
from yiwang.payments.models import (
    ExceptionKind,
    GatewayNotification,
    OrderStatus,
    PaymentEventType,
    PaymentException,
)
from yiwang.testing.payments import make_order, notification_body, post_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def paying(world, stub):
    order = make_order(world)
    return services.start_online_payment(order, user=world.citizen)


def _post(stub_keys, body, **kwargs):
    return post_notification(Client(), stub_keys["gateway"]["private"], body, **kwargs)


def test_paid_notification_is_applied_once(world, stub, paygate_keys, paying):
    body = notification_body(paying)
    first = _post(paygate_keys, body)
    assert first.status_code == 200 and first.json() == {"result": "ok"}
    paying.refresh_from_db()
    assert (
        paying.status == OrderStatus.PAID and paying.paid_fen == paying.amount_fen and paying.channel == "pc"
    )
    again = _post(paygate_keys, body)  # the gateway retries: same id, new nonce
    assert again.status_code == 200
    assert paying.events.filter(event_type=PaymentEventType.PAID).count() == 1
    assert GatewayNotification.objects.filter(notification_id=body["notification_id"]).count() == 1
    second_id = _post(paygate_keys, notification_body(paying))  # another "paid" with a new id
    assert second_id.status_code == 200
    assert paying.events.filter(event_type=PaymentEventType.NOTIFICATION_IGNORED).count() == 1
    late_failure = _post(paygate_keys, notification_body(paying, status="failed"))  # out of order
    assert late_failure.status_code == 200
    paying.refresh_from_db()
    assert paying.status == OrderStatus.PAID


def test_a_delivery_racing_the_first_one_rolls_back_and_answers_what_the_first_stored(
    world, stub, paygate_keys, paying, monkeypatch
):
    """Two deliveries of one new notification both miss the stored answer; the order lock
    serialises them and the second one's store hits the unique id: everything it did is undone."""
    from yiwang.payments.services import notifications

    body = notification_body(paying)
    assert _post(paygate_keys, body).status_code == 200
    events = paying.events.count()
    real_stored = notifications._stored
    calls = []

    def first_miss(notification):
        calls.append(notification.notification_id)
        return None if len(calls) == 1 else real_stored(notification)

    monkeypatch.setattr(notifications, "_stored", first_miss)
    again = _post(paygate_keys, body)
    assert again.status_code == 200 and again.json() == {"result": "ok"}
    assert len(calls) == 2  # missed before the transaction, found after the rollback
    assert paying.events.count() == events  # the "already paid" event of the loser is rolled back
    assert GatewayNotification.objects.filter(notification_id=body["notification_id"]).count() == 1


def test_forged_stale_and_replayed_notifications_are_refused(world, stub, paygate_keys, paying):
    body = notification_body(paying)
    forged = _post(
        paygate_keys,
        body,
        headers=signing.sign_headers(paygate_keys["platform"]["private"], signing.canonical_json(body)),
    )
    assert forged.status_code == 401 and forged.json()["code"] == "bad_signature"
    stale = signing.sign_headers(
        paygate_keys["gateway"]["private"], signing.canonical_json(body), now=time.time() - 600
    )
    assert _post(paygate_keys, body, headers=stale).status_code == 401
    tampered_headers = signing.sign_headers(paygate_keys["gateway"]["private"], signing.canonical_json(body))
    assert _post(paygate_keys, {**body, "amount_fen": 1}, headers=tampered_headers).status_code == 401
    good = signing.sign_headers(paygate_keys["gateway"]["private"], signing.canonical_json(body))
    assert _post(paygate_keys, body, headers=good).status_code == 200
    assert _post(paygate_keys, body, headers=good).status_code == 401  # the same nonce again
    assert AuditEvent.objects.filter(action="payments.notification_refused").count() == 4
    junk = Client().post(
        "/api/v1/payments/notify/fiscal", data=b"\xff not json", content_type="application/json"
    )
    assert junk.status_code == 401


def test_amount_mismatch_is_refused_and_flagged(world, stub, paygate_keys, paying):
    body = notification_body(paying, amount_fen=paying.amount_fen - 1)
    answer = _post(paygate_keys, body)
    assert answer.status_code == 409 and answer.json()["code"] == "payment_amount_mismatch"
    paying.refresh_from_db()
    assert paying.status == OrderStatus.PAYING
    assert PaymentException.objects.filter(order=paying, kind=ExceptionKind.AMOUNT_MISMATCH).exists()
    assert _post(paygate_keys, body).status_code == 409  # a retry gets the same answer
    assert AuditEvent.objects.filter(action="payments.exception").count() == 1


def test_unknown_order_is_404_and_logged(world, stub, paygate_keys, paying):
    body = notification_body(paying, order_no="34010026999999999999")
    answer = _post(paygate_keys, body)
    assert answer.status_code == 404 and answer.json()["code"] == "payment_not_found"
    assert AuditEvent.objects.filter(action="payments.notification_unknown_order").count() == 1
    assert _post(paygate_keys, body).status_code == 404


def test_paid_after_close_is_applied_with_an_exception(world, stub, paygate_keys, paying):
    services.close_order(paying, reason="test")
    answer = _post(paygate_keys, notification_body(paying))
    assert answer.status_code == 200
    paying.refresh_from_db()
    assert paying.status == OrderStatus.PAID
    assert PaymentException.objects.get(order=paying).kind == ExceptionKind.PAID_AFTER_CLOSE


def test_failed_payment_lets_the_payer_try_again(world, stub, paygate_keys, paying):
    assert _post(paygate_keys, notification_body(paying, status="failed")).status_code == 200
    paying.refresh_from_db()
    assert paying.status == OrderStatus.CREATED
    again = services.start_online_payment(paying, user=world.citizen)
    assert again.status == OrderStatus.PAYING
