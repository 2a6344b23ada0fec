"""The carrier's signed callbacks: applied, forged, replayed, unknown waybill, out of order,
duplicated, unreadable; and polling of quiet orders."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client

from yiwang.core.models import AuditEvent
from yiwang.logistics import services
from yiwang.logistics.models import CarrierCallback, OrderStatus, TrackingEvent
from yiwang.logistics.signals import order_delivered
from yiwang.logistics.tests.conftest import NOW
from yiwang.testing.logistics import carrier_event, event, make_order, post_callback

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def order(fake_carrier, department, clerk, citizen):
    return make_order(department, owner=citizen, actor=clerk)


def test_a_signed_callback_moves_the_order_and_is_audited(order):
    response = post_callback(Client(), [event(order.waybill_number, "picked_up", NOW)])
    assert response.status_code == 200, response.content
    assert response.json() == {"result": "ok", "applied": 1, "duplicates": 0, "unknown": []}
    order.refresh_from_db()
    assert order.status == OrderStatus.PICKED_UP and order.last_event_at == NOW
    assert AuditEvent.objects.filter(
        action="logistics.order.picked_up", object_id=str(order.public_id)
    ).exists()


def test_a_forged_callback_is_refused_and_audited(order):
    response = post_callback(
        Client(), [event(order.waybill_number, "delivered", NOW)], secret="not-the-secret"
    )
    assert response.status_code == 401 and response.json()["code"] == "logistics_bad_signature"
    unsigned = Client().post("/api/v1/logistics/callbacks/sim", b"{}", content_type="application/json")
    assert unsigned.status_code == 401
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED and not TrackingEvent.objects.exists()
    assert AuditEvent.objects.filter(action="logistics.callback.refused").count() == 2


def test_a_replayed_callback_outside_the_window_is_refused(order):
    old = int(time.time()) - 3600
    response = post_callback(Client(), [event(order.waybill_number, "delivered", NOW)], timestamp=old)
    assert response.status_code == 401 and response.json()["code"] == "logistics_stale_callback"
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED


def test_the_same_event_twice_is_applied_once(order):
    once = event(order.waybill_number, "picked_up", NOW, event_id="evt-1")
    assert post_callback(Client(), [once]).json()["applied"] == 1
    again = post_callback(Client(), [once])
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    assert TrackingEvent.objects.count() == 1 and CarrierCallback.objects.count() == 1


def test_an_unknown_waybill_is_a_404_logged_and_audited(order, caplog):
    response = post_callback(Client(), [event("SIM999999999999", "delivered", NOW, event_id="evt-x")])
    assert response.status_code == 404 and response.json()["code"] == "logistics_unknown_waybill"
    assert CarrierCallback.objects.get(event_id="evt-x").outcome == "unknown_waybill"
    assert AuditEvent.objects.filter(action="logistics.callback.unknown_waybill").exists()
    assert "unknown waybill" in caplog.text


def test_events_out_of_order_keep_the_latest_and_a_final_status_is_never_undone(order):
    waybill = order.waybill_number
    delivered_seen = []
    order_delivered.connect(
        lambda sender, order, **kw: delivered_seen.append(order.pk), weak=False, dispatch_uid="t"
    )
    try:
        post_callback(Client(), [event(waybill, "in_transit", NOW + timedelta(minutes=20))])
        post_callback(Client(), [event(waybill, "picked_up", NOW)])  # older, arrives late
        order.refresh_from_db()
        assert order.status == OrderStatus.IN_TRANSIT
        post_callback(Client(), [event(waybill, "delivered", NOW + timedelta(hours=2), signed_by="张伟")])
        post_callback(Client(), [event(waybill, "out_for_delivery", NOW + timedelta(hours=1))])  # late again
    finally:
        order_delivered.disconnect(dispatch_uid="t")
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED and order.signed_by == "张伟"
    assert order.delivered_at == NOW + timedelta(hours=2)
    timeline = list(order.events.values_list("status", flat=True))
    assert timeline == ["picked_up", "in_transit", "out_for_delivery", "delivered"]
    assert delivered_seen == [order.pk]


def test_failed_delivery_then_retry_and_return_to_sender(order):
    waybill = order.waybill_number
    steps = ["picked_up", "in_transit", "out_for_delivery", "failed_delivery", "out_for_delivery"]
    for minutes, status in enumerate(steps):
        post_callback(Client(), [event(waybill, status, NOW + timedelta(minutes=minutes))])
    order.refresh_from_db()
    assert order.status == OrderStatus.OUT_FOR_DELIVERY and order.attempts == 1
    post_callback(Client(), [event(waybill, "failed_delivery", NOW + timedelta(minutes=10))])
    post_callback(Client(), [event(waybill, "returned_to_sender", NOW + timedelta(minutes=11))])
    order.refresh_from_db()
    assert (
        order.status == OrderStatus.RETURNED_TO_SENDER and order.attempts == 2 and order.delivered_at is None
    )


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"events": []}',
        b'{"events": [{"event_id": "x"}]}',
        b'{"events": [{"event_id": "x", '
        b'"waybill": "SIM1", "status": "teleported", "time": "2026-09-21T10:00:00+08:00"}]}',
    ],
)
def test_unreadable_bodies_are_a_400(order, body):
    response = post_callback(Client(), body=body)
    assert response.status_code == 400 and response.json()["code"] == "logistics_invalid_callback"


def test_events_on_a_cancelled_order_are_ignored(order, clerk):
    services.cancel_order(order, actor=clerk)
    response = post_callback(Client(), [event(order.waybill_number, "picked_up", NOW)])
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and not order.events.exists()


def test_quiet_orders_are_polled(order, fake_carrier, frozen):
    assert services.poll_tracking()["polled"] == 0  # just submitted
    fake_carrier.tracking[order.waybill_number] = [
        carrier_event(order.waybill_number, "picked_up", NOW + timedelta(hours=1), "p1"),
        carrier_event(order.waybill_number, "in_transit", NOW + timedelta(hours=2), "p2"),
    ]
    frozen.shift(timedelta(hours=7))
    assert services.poll_tracking() == {"polled": 1, "new_events": 2, "failures": 0}
    order.refresh_from_db()
    assert order.status == OrderStatus.IN_TRANSIT and order.last_polled_at is not None
    assert services.poll_tracking()["polled"] == 0  # polled just now
    fake_carrier.down = True
    frozen.shift(timedelta(hours=7))
    assert services.poll_tracking()["failures"] == 1
