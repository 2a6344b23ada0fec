"""送达: the delivery choice at application, changes before completion, staff handover recorded as a
case event, electronic delivery at completion, and what the portal shows."""

from __future__ import annotations

import json

import pytest

from yiwang.accounts.models import InboxMessage
from yiwang.cases.delivery import change_delivery, record_handover
from yiwang.cases.models import CaseDelivery, CaseEvent, CaseEventType, DeliveryStatus
from yiwang.cases.services import accept_case, decide_case
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import pdf_upload, submit
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.testing.fixtures import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def _api_apply(item, citizen, **fields):
    materials = {m.name: str(m.public_id) for m in item.materials.all()}
    return token_client(citizen).post(
        "/api/v1/cases",
        {
            "item_id": str(item.public_id),
            "form_data": json.dumps({"shop_name": "小店"}),
            f"material_{materials['营业执照']}": pdf_upload(),
            f"material_{materials['经营场所证明']}": pdf_upload(),
            **fields,
        },
    )


def _completed(item, citizen, clerk, approver, **kwargs):
    case = accept_case(submit(item, citizen, **kwargs), actor=clerk)
    return decide_case(case, actor=approver, approve=True)


def test_courier_needs_an_address(item, citizen):
    response = _api_apply(item, citizen, delivery_method="courier")
    assert response.status_code == 400
    assert response.json()["code"] == "delivery_invalid"
    assert "delivery_address" in response.json()["fields"]
    ok = _api_apply(item, citizen, delivery_method="courier", delivery_address="合肥市蜀山区长江西路 100 号")
    assert ok.status_code == 201
    body = ok.json()["delivery"]
    assert (
        body["method"] == "courier" and body["address"].startswith("合肥市") and body["status"] == "pending"
    )


def test_change_before_completion_recorded_then_refused_after(item, citizen, clerk, approver):
    case = submit(item, citizen)
    response = token_client(citizen).post(
        f"/api/v1/cases/{case.public_id}/delivery",
        {"method": "courier", "address": "合肥市包河区徽州大道 1 号"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["method"] == "courier"
    case.refresh_from_db()
    assert case.delivery_method == "courier"
    event = CaseEvent.objects.get(case=case, event_type=CaseEventType.DELIVERY_CHANGED)
    assert event.data["from"] == "electronic" and event.data["to"] == "courier"
    decide_case(accept_case(case, actor=clerk), actor=approver, approve=True)
    with pytest.raises(Conflict):
        change_delivery(case, user=citizen, method="window")


def test_only_the_applicant_changes_delivery(item, citizen, other_citizen):
    case = submit(item, citizen)
    with pytest.raises(NotFound):
        change_delivery(case, user=other_citizen, method="window")
    assert (
        token_client(other_citizen)
        .post(
            f"/api/v1/cases/{case.public_id}/delivery", {"method": "window"}, content_type="application/json"
        )
        .status_code
        == 404
    )


def test_window_pickup_handover(item, citizen, clerk, approver, django_capture_on_commit_callbacks):
    case = _completed(item, citizen, clerk, approver, delivery_method="window")
    with pytest.raises(DomainError) as missing:
        record_handover(case, actor=clerk, recipient_name="张伟")
    assert "recipient_signature" in missing.value.fields
    with django_capture_on_commit_callbacks(execute=True):
        record_handover(case, actor=clerk, recipient_name="张伟", recipient_signature="张伟")
    delivery = CaseDelivery.objects.get(case=case)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.handed_over_by == clerk
    event = CaseEvent.objects.get(case=case, event_type=CaseEventType.DELIVERED)
    assert event.actor == clerk and event.data["recipient_signature"] == "张伟"
    assert InboxMessage.objects.filter(user=citizen, body__contains="已送达（窗口领取）").exists()
    with pytest.raises(Conflict):
        record_handover(case, actor=clerk, recipient_name="张伟", recipient_signature="张伟")


def test_courier_handover_needs_tracking_number_via_api(item, citizen, clerk, approver, foreign_clerk):
    case = _completed(item, citizen, clerk, approver, delivery_method="courier")
    url = f"/api/v1/workbench/cases/{case.public_id}/handover"
    assert (
        token_client(clerk).post(url, {"recipient_name": "张伟"}, content_type="application/json").status_code
        == 400
    )
    assert (
        token_client(citizen)
        .post(url, {"recipient_name": "张伟"}, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        token_client(foreign_clerk)
        .post(url, {"recipient_name": "张伟", "tracking_number": "SF1"}, content_type="application/json")
        .status_code
        == 404
    )
    ok = token_client(clerk).post(
        url, {"recipient_name": "张伟", "tracking_number": "SF1234567890"}, content_type="application/json"
    )
    assert ok.status_code == 200
    # Handed to the courier is 已寄出, not 已送达: delivery is confirmed by a second handover.
    assert ok.json()["delivery"]["status"] == "dispatched"
    assert ok.json()["delivery"]["status_label"] == "已寄出"
    assert ok.json()["delivery"]["tracking_number"] == "SF1234567890"
    assert ok.json()["delivery"]["delivered_at"] is None
    assert (
        token_client(clerk).post(url, {"recipient_name": "张伟"}, content_type="application/json").status_code
        == 400
    )
    confirmed = token_client(clerk).post(
        url, {"recipient_name": "张伟", "recipient_signature": "张伟"}, content_type="application/json"
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["delivery"]["status"] == "delivered"
    assert confirmed.json()["delivery"]["tracking_number"] == "SF1234567890"


def test_courier_dispatch_is_not_delivery_on_pages(client, item, citizen, clerk, approver):
    address = "合肥市蜀山区长江西路 100 号"
    case = _completed(
        item,
        citizen,
        clerk,
        approver,
        delivery_method="courier",
        delivery_address=address,
        record_delivery=True,
    )
    record_handover(case, actor=clerk, recipient_name="张伟", tracking_number="SF1234567890")
    delivery = CaseDelivery.objects.get(case=case)
    assert delivery.status == DeliveryStatus.DISPATCHED and delivery.delivered_at is None
    assert delivery.dispatched_at is not None
    types = list(CaseEvent.objects.filter(case=case).values_list("event_type", flat=True))
    assert types[-1] == CaseEventType.DISPATCHED and CaseEventType.DELIVERED not in types
    client.force_login(citizen)
    status = _delivery_status(client.get(f"/my/cases/{case.public_id}/").content.decode())
    assert "已寄出" in status and "SF1234567890" in status and "已送达" not in status
    staff_page = logged_in(clerk).get(f"/workbench/cases/{case.public_id}/").content.decode()
    assert "已寄出" in _delivery_status(staff_page) and "confirm-delivery-form" in staff_page
    assert "handover-form" not in staff_page
    record_handover(case, actor=clerk, recipient_name="", recipient_signature="李四")
    client.force_login(citizen)
    status = _delivery_status(client.get(f"/my/cases/{case.public_id}/").content.decode())
    assert "已送达" in status and "李四" in status and "SF1234567890" in status


def _delivery_status(page: str) -> str:
    start = page.index('id="delivery-status"')
    return page[start : page.index("</", start)]


def test_delivery_form_preselects_the_current_choice(client, item, citizen):
    address = "合肥市蜀山区长江西路 100 号"
    case = submit(item, citizen, delivery_method="courier", delivery_address=address, record_delivery=True)
    client.force_login(citizen)
    page = client.get(f"/my/cases/{case.public_id}/").content.decode()
    form = page[page.index('id="delivery-form"') :]
    assert '<option value="courier" selected>' in form
    assert '<option value="window" selected>' not in form
    # The address field is a full-width text input holding the current address.
    assert 'type="text" class="input-wide" id="id_delivery_address"' in form and address in form
    change_delivery(case, user=citizen, method="electronic")
    page = client.get(f"/my/cases/{case.public_id}/").content.decode()
    assert '<option value="electronic" selected>' in page[page.index('id="delivery-form"') :]


def test_handover_needs_a_completed_case_and_a_clerk(item, citizen, clerk, approver):
    case = accept_case(submit(item, citizen, delivery_method="window"), actor=clerk)
    with pytest.raises(Conflict):
        record_handover(case, actor=clerk, recipient_name="张伟", recipient_signature="张伟")
    decide_case(case, actor=approver, approve=True)
    with pytest.raises(PermissionDenied):
        record_handover(case, actor=approver, recipient_name="张伟", recipient_signature="张伟")


def test_electronic_delivery_recorded_at_completion(item, citizen, clerk, approver):
    case = _completed(item, citizen, clerk, approver)
    delivery = CaseDelivery.objects.get(case=case)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.handed_over_by is None
    types = list(CaseEvent.objects.filter(case=case).values_list("event_type", flat=True))
    assert types[-2:] == [CaseEventType.COMPLETED, CaseEventType.DELIVERED]
    with pytest.raises(Conflict):
        record_handover(case, actor=clerk, recipient_name="张伟")


def test_portal_and_workbench_show_delivery(client, item, citizen, clerk, approver):
    case = _completed(item, citizen, clerk, approver, delivery_method="window")
    client.force_login(citizen)
    page = client.get(f"/my/cases/{case.public_id}/").content.decode()
    assert "结果送达" in page and "待送达" in page
    staff_page = logged_in(clerk).get(f"/workbench/cases/{case.public_id}/").content.decode()
    assert "handover-form" in staff_page and "待送达" in staff_page
    record_handover(case, actor=clerk, recipient_name="张伟", recipient_signature="张伟")
    client.force_login(citizen)
    page = client.get(f"/my/cases/{case.public_id}/").content.decode()
    assert "已送达" in page and "张伟" in page


def test_portal_apply_with_courier_address(client, item, citizen):
    materials = {m.name: m for m in item.materials.all()}

    def data(**extra):
        return {
            "field_shop_name": "小店",
            "delivery_method": "courier",
            f"material_{materials['营业执照'].public_id}": pdf_upload(),
            f"material_{materials['经营场所证明'].public_id}": pdf_upload(),
            **extra,
        }

    client.force_login(citizen)
    missing = client.post(f"/items/{item.public_id}/apply/", data())
    assert missing.status_code == 400 and "快递送达须填写详细地址" in missing.content.decode()
    ok = client.post(f"/items/{item.public_id}/apply/", data(delivery_address="合肥市蜀山区长江西路 100 号"))
    assert ok.status_code == 302
    delivery = CaseDelivery.objects.get()
    assert delivery.method == "courier" and delivery.address == "合肥市蜀山区长江西路 100 号"
