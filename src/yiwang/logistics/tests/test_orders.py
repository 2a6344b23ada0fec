"""Creating, submitting and cancelling courier orders; postage; every transition audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.logistics import services
from yiwang.logistics.models import CourierOrder, OrderStatus, PostagePayer, PostageStatus
from yiwang.testing.logistics import COUNTY_WITHOUT_TOWNSHIPS, applicant_party, make_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _audit(order: CourierOrder) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(order.public_id))
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def test_a_clerk_creates_an_order_the_carrier_accepts(fake_carrier, department, clerk, citizen):
    order = make_order(department, owner=citizen, actor=clerk)
    assert order.status == OrderStatus.SUBMITTED
    assert order.waybill_number.startswith("SIM") and order.postage_fen == 1200
    assert order.postage_status == PostageStatus.DEPARTMENT_ACCOUNT
    assert _audit(order) == ["logistics.order.created", "logistics.order.submitted"]


def test_only_a_window_clerk_of_the_department_creates_orders(
    fake_carrier, department, approver, foreign_clerk, citizen
):
    for actor in (approver, foreign_clerk, citizen):
        with pytest.raises(DomainError) as refused:
            make_order(department, actor=actor)
        assert refused.value.status == 403
    assert not CourierOrder.objects.exists()


def test_bad_addresses_are_refused_before_anything_is_stored(fake_carrier, department, clerk):
    with pytest.raises(DomainError) as refused:
        make_order(department, actor=clerk, recipient=applicant_party(region_code="999999"))
    assert refused.value.code == "logistics_invalid_address"
    assert "recipient.region_code" in refused.value.fields
    assert not CourierOrder.objects.exists()


def test_an_undeliverable_address_refused_by_the_carrier_stays_created_with_the_reason(
    fake_carrier, department, clerk
):
    fake_carrier.refused_regions.add(COUNTY_WITHOUT_TOWNSHIPS)
    with pytest.raises(DomainError) as refused:
        make_order(department, actor=clerk, recipient=applicant_party(region_code=COUNTY_WITHOUT_TOWNSHIPS))
    assert refused.value.status == 422 and refused.value.code == "logistics_carrier_refused"
    order = CourierOrder.objects.get()
    assert order.status == OrderStatus.CREATED and "无法寄递" in order.last_error
    assert "logistics.order.carrier_refused" in _audit(order)
    assert services.retry_unsubmitted(older_than=timedelta(0)) == 0  # refused: not retried


def test_a_carrier_that_does_not_answer_is_retried_later(fake_carrier, department, clerk):
    fake_carrier.down = True
    with pytest.raises(DomainError) as refused:
        make_order(department, actor=clerk)
    assert refused.value.status == 503
    order = CourierOrder.objects.get()
    assert order.status == OrderStatus.CREATED
    fake_carrier.down = False
    assert services.retry_unsubmitted(older_than=timedelta(0)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED and order.last_error == ""


def test_submit_twice_is_a_conflict(fake_carrier, department, clerk):
    order = make_order(department, actor=clerk)
    with pytest.raises(DomainError) as refused:
        services.submit_order(order, actor=clerk)
    assert refused.value.status == 409


def test_cancel_before_pickup_tells_the_carrier(fake_carrier, department, clerk, approver):
    order = make_order(department, actor=clerk)
    with pytest.raises(DomainError):
        services.cancel_order(order, actor=approver, reason="不需要了")
    services.cancel_order(order, actor=clerk, reason="申请人改为窗口领取")
    assert order.status == OrderStatus.CANCELLED and fake_carrier.cancelled == [order.waybill_number]
    assert _audit(order)[-1] == "logistics.order.cancelled"
    with pytest.raises(DomainError) as again:
        services.cancel_order(order, actor=clerk)
    assert again.value.status == 409


def test_postage_paid_by_the_applicant_waits_for_the_payment_module(fake_carrier, department, clerk, citizen):
    order = make_order(department, owner=citizen, actor=clerk, postage_payer=PostagePayer.APPLICANT)
    assert order.postage_status == PostageStatus.AWAITING_PAYMENT
    assert "logistics.postage.requested" in list(AuditEvent.objects.values_list("action", flat=True))


def test_personal_columns_are_encrypted(fake_carrier, department, clerk, citizen):
    order = make_order(department, owner=citizen, actor=clerk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT recipient_name, recipient_phone, recipient_address, sender_name FROM logistics_courierorder"
        )
        row = cursor.fetchone()
    assert all(value.startswith("yw1$") for value in row)
    assert "13912345678" not in "".join(row) and "张伟" not in "".join(row)
    assert CourierOrder.objects.get(pk=order.pk).recipient_phone == "13912345678"
