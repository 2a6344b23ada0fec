"""The order state machine: created → paying → paid / closed (timeout job), window payments, the
query job for missing notifications, a duplicate payment, and a gateway that is down."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.payments import services
from yiwang.payments.models import ExceptionKind, OrderStatus, PaymentEventType, PaymentException
from yiwang.testing.payments import make_order

pytestmark = pytest.mark.django_db


def test_created_order_has_lines_due_date_and_an_event(world):
    order = make_order(world)
    assert order.status == OrderStatus.CREATED and order.amount_fen == 5000
    assert order.lines[0]["name"] == "登记费" and order.lines[0]["net_fen"] == 5000
    assert (
        order.due_date.isoformat() == "2026-10-08"
    )  # 7 working days after Monday 21 Sept, over National Day
    assert [e.event_type for e in order.events.all()] == [PaymentEventType.CREATED]
    assert AuditEvent.objects.filter(action="payments.created", object_id=str(order.public_id)).exists()


def test_online_payment_then_query_job(world, stub, frozen, settings):
    order = services.start_online_payment(make_order(world), user=world.citizen)
    assert order.status == OrderStatus.PAYING and order.pay_url.startswith(stub.base_url)
    assert services.start_online_payment(order, user=world.citizen).pay_url == order.pay_url
    call_command("query_pending_payments")  # too early: not queried
    assert not [r for r in stub.requests if r[0] == "GET"]
    stub.pay(order.code, channel="qr")
    frozen.shift(timedelta(minutes=6))
    call_command("query_pending_payments")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.channel == "qr"
    assert order.events.get(event_type=PaymentEventType.PAID).source == "query"


def test_other_users_cannot_start_payment(world, stub):
    order = make_order(world)
    with pytest.raises(DomainError) as refused:
        services.start_online_payment(order, user=world.other_citizen)
    assert refused.value.status == 404


def test_gateway_down_is_a_clear_503(world, stub):
    stub.down = True
    with pytest.raises(DomainError) as refused:
        services.start_online_payment(make_order(world), user=world.citizen)
    assert refused.value.status in (409, 503)
    from yiwang.payments.models import PaymentOrder

    assert PaymentOrder.objects.get().status == OrderStatus.CREATED


def test_expired_orders_are_closed_here_and_at_the_gateway(world, stub, frozen):
    waiting = make_order(world)
    paying = services.start_online_payment(make_order(world), user=world.citizen)
    paid_meanwhile = services.start_online_payment(make_order(world), user=world.citizen)
    stub.pay(paid_meanwhile.code)
    frozen.move_to(waiting.expires_at + timedelta(minutes=1))
    call_command("close_expired_payment_orders")
    for order in (waiting, paying, paid_meanwhile):
        order.refresh_from_db()
    assert waiting.status == OrderStatus.CLOSED and paying.status == OrderStatus.CLOSED
    assert stub.orders[paying.code]["status"] == "closed"
    assert paid_meanwhile.status == OrderStatus.PAID  # the gateway said paid: applied, not closed
    with pytest.raises(DomainError):
        services.start_online_payment(waiting, user=world.citizen)
    renewed = services.renew_order(waiting, actor=world.citizen)
    assert renewed.status == OrderStatus.CREATED and renewed.code != waiting.code
    assert renewed.amount_fen == waiting.amount_fen


def test_window_payment(world, stub):
    order = make_order(world)
    with pytest.raises(DomainError) as no_receipt:
        services.record_offline_payment(order, actor=world.clerk, receipt_no=" ")
    assert no_receipt.value.code == "payment_receipt_required"
    with pytest.raises(DomainError) as foreign:
        services.record_offline_payment(order, actor=world.other_finance, receipt_no="PJ001")
    assert foreign.value.status == 403
    with pytest.raises(DomainError):
        services.record_offline_payment(order, actor=world.approver, receipt_no="PJ001")
    paid = services.record_offline_payment(order, actor=world.clerk, receipt_no="PJ001", channel="pos")
    assert (paid.status, paid.channel, paid.receipt_no, paid.gateway) == (
        OrderStatus.PAID,
        "pos",
        "PJ001",
        "offline",
    )
    with pytest.raises(DomainError) as twice:
        services.record_offline_payment(paid, actor=world.clerk, receipt_no="PJ002")
    assert twice.value.status == 409


def test_window_payment_of_an_order_paid_online_meanwhile_is_refused(world, stub):
    order = services.start_online_payment(make_order(world), user=world.citizen)
    stub.pay(order.code)
    with pytest.raises(DomainError) as refused:
        services.record_offline_payment(order, actor=world.clerk, receipt_no="PJ9")
    assert refused.value.status == 409
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.receipt_no == ""


def test_second_paid_order_of_a_subject_is_a_duplicate_payment(world, stub, frozen):
    first = make_order(world)
    frozen.move_to(first.expires_at + timedelta(minutes=1))
    services.close_expired_orders()
    first.refresh_from_db()
    second = services.renew_order(first, actor=world.citizen)
    services.record_offline_payment(second, actor=world.clerk, receipt_no="PJ1")
    from django.db import transaction

    with transaction.atomic():
        services.apply_paid(first, amount_fen=first.amount_fen, source="gateway")
    kinds = set(PaymentException.objects.values_list("kind", flat=True))
    assert kinds == {ExceptionKind.PAID_AFTER_CLOSE, ExceptionKind.DUPLICATE_PAYMENT}
    assert timezone.now() > first.expires_at


def test_payer_name_is_encrypted_at_rest(world):
    order = make_order(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT payer_name FROM payments_paymentorder WHERE id = %s", [order.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("yw1$") and order.payer_name not in stored
    assert type(order).objects.get(pk=order.pk).payer_name == order.payer_name
