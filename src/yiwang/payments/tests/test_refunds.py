"""Refunds: full and partial, never more than paid, no double refund, the gateway's notification
and query, window refunds, and who may refund."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client

from yiwang.core.errors import DomainError
from yiwang.payments import services
from yiwang.payments.models import OrderStatus, RefundStatus
from yiwang.testing.payments import make_order, notification_body, post_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(world, stub, paygate_keys):
    order = services.start_online_payment(make_order(world), user=world.citizen)
    stub.pay(order.code)
    post_notification(Client(), paygate_keys["gateway"]["private"], notification_body(order))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def test_partial_then_full_refund_never_more_than_paid(world, stub, paygate_keys, paid):
    first = services.request_refund(paid, actor=world.finance, amount_fen=2000, reason="多收")
    assert first.status == RefundStatus.REFUNDING
    paid.refresh_from_db()
    assert paid.status == OrderStatus.REFUNDING
    with pytest.raises(DomainError) as exceeds:  # 2000 in flight: only 3000 left
        services.request_refund(paid, actor=world.finance, amount_fen=3001, reason="多收")
    assert exceeds.value.code == "payment_refund_exceeds"
    body = notification_body(
        paid, type="refund", refund_no=first.refund_no, status="refunded", amount_fen=2000
    )
    assert post_notification(Client(), paygate_keys["gateway"]["private"], body).status_code == 200
    assert (
        post_notification(Client(), paygate_keys["gateway"]["private"], body).status_code == 200
    )  # duplicate
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_fen) == (OrderStatus.REFUNDED, 2000)
    stub.refund_result = "refunded"
    rest = services.request_refund(paid, actor=world.finance, amount_fen=3000, reason="撤回申请")
    assert rest.status == RefundStatus.REFUNDED
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_fen) == (OrderStatus.REFUNDED, 5000)
    with pytest.raises(DomainError) as nothing_left:
        services.request_refund(paid, actor=world.finance, amount_fen=1, reason="再退")
    assert nothing_left.value.code == "payment_refund_exceeds"


def test_who_may_refund_and_bad_amounts(world, stub, paid):
    for actor in (world.clerk, world.other_finance, world.citizen):
        with pytest.raises(DomainError) as denied:
            services.request_refund(paid, actor=actor, amount_fen=100, reason="x")
        assert denied.value.status == 403
    for amount in (0, -5, True):
        with pytest.raises(DomainError):
            services.request_refund(paid, actor=world.finance, amount_fen=amount, reason="x")
    with pytest.raises(DomainError):
        services.request_refund(paid, actor=world.finance, amount_fen=100, reason=" ")
    unpaid = make_order(world)
    with pytest.raises(DomainError) as not_paid:
        services.request_refund(unpaid, actor=world.finance, amount_fen=100, reason="x")
    assert not_paid.value.status == 409


def test_refund_sent_while_gateway_down_is_resent_by_the_query_job(world, stub, paid, frozen):
    stub.down = True
    refund = services.request_refund(paid, actor=world.finance, amount_fen=5000, reason="退费")
    assert refund.status == RefundStatus.REFUNDING
    stub.down = False
    frozen.shift(timedelta(minutes=6))
    call_command("query_pending_payments")  # unknown at the gateway: sent again
    assert refund.refund_no in stub.refunds
    stub.refunds[refund.refund_no]["status"] = "refunded"
    frozen.shift(timedelta(minutes=6))
    call_command("query_pending_payments")
    refund.refresh_from_db()
    paid.refresh_from_db()
    assert refund.status == RefundStatus.REFUNDED and paid.refunded_fen == 5000


def test_refund_refused_by_the_gateway_fails(world, stub, paid):
    stub.orders[paid.code]["refunded"] = paid.amount_fen  # the gateway thinks it is refunded already
    refund = services.request_refund(paid, actor=world.finance, amount_fen=100, reason="x")
    assert refund.status == RefundStatus.FAILED
    paid.refresh_from_db()
    assert paid.status == OrderStatus.REFUND_FAILED and paid.refundable_fen == 5000


def test_window_payment_refunded_at_once(world):
    order = services.record_offline_payment(make_order(world), actor=world.clerk, receipt_no="PJ1")
    refund = services.request_refund(order, actor=world.finance, amount_fen=5000, reason="退费")
    assert refund.status == RefundStatus.REFUNDED
