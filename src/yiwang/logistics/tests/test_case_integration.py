"""Courier delivery of a case's result: the order is placed when the case completes, the case is
已寄出 with the waybill number, 签收 reported by the carrier closes the handover (已送达), and the
applicant's case page shows the timeline."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.cases.courier import case_orders, ship_case_result
from yiwang.cases.models import CaseDelivery, CaseEventType, DeliveryStatus
from yiwang.cases.services import accept_case, decide_case
from yiwang.core.models import AuditEvent
from yiwang.logistics.models import OrderStatus
from yiwang.logistics.tests.conftest import NOW
from yiwang.testing.cases import ServiceItemFactory, submit
from yiwang.testing.fixtures import logged_in
from yiwang.testing.logistics import event, post_callback

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def item(department, calendar):
    return ServiceItemFactory(implementing_body=department)


def _completed(item, citizen, clerk, approver, address):
    case = submit(item, citizen, delivery_method="courier", delivery_address=address, record_delivery=True)
    return decide_case(accept_case(case, actor=clerk), actor=approver, approve=True)


def test_completion_ships_the_result_and_signing_closes_the_handover(
    fake_carrier, item, citizen, clerk, approver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _completed(item, citizen, clerk, approver, "安徽省合肥市蜀山区三里庵街道长江西路 100 号")
    (order,) = case_orders(case)
    assert order.status == OrderStatus.SUBMITTED and order.owner_id == citizen.pk
    assert order.reference_label == case.number and order.recipient_region == "340104001"
    delivery = CaseDelivery.objects.get(case=case)
    assert delivery.status == DeliveryStatus.DISPATCHED and delivery.tracking_number == order.waybill_number
    assert ship_case_result(case) is None  # once only

    page = logged_in(citizen).get(f"/my/cases/{case.public_id}/")
    assert page.status_code == 200 and order.waybill_number in page.content.decode()

    post_callback(Client(), [event(order.waybill_number, "picked_up", NOW)])
    post_callback(
        Client(), [event(order.waybill_number, "delivered", NOW.replace(hour=15), signed_by="张伟")]
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.recipient_signature == "张伟"
    assert case.events.filter(event_type=CaseEventType.DELIVERED, actor=None).exists()
    page = logged_in(citizen).get(f"/my/cases/{case.public_id}/")
    assert "已签收" in page.content.decode()


def test_an_address_without_a_known_division_leaves_the_handover_to_the_clerk(
    fake_carrier, item, citizen, clerk, approver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _completed(item, citizen, clerk, approver, "南京市玄武区中山路 1 号")
    assert case_orders(case) == []
    assert CaseDelivery.objects.get(case=case).status == DeliveryStatus.PENDING
    assert AuditEvent.objects.filter(action="cases.courier.address_unresolved").exists()


def test_a_carrier_refusal_is_audited_and_the_case_stays_pending(
    fake_carrier, item, citizen, clerk, approver, django_capture_on_commit_callbacks
):
    fake_carrier.refused_regions.add("340111")
    with django_capture_on_commit_callbacks(execute=True):
        case = _completed(item, citizen, clerk, approver, "合肥市包河区徽州大道 1 号")
    (order,) = case_orders(case)
    assert order.status == OrderStatus.CREATED
    assert CaseDelivery.objects.get(case=case).status == DeliveryStatus.PENDING
    assert AuditEvent.objects.filter(action="cases.courier.order_refused").exists()
