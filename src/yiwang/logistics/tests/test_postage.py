"""邮费 Postage paid by the applicant: a payment order through payments, the courier order goes to the
carrier only once it is paid (online or at the window); department postage goes at once; the
applicant's postage page (who may see it, starting the online payment); a case's result whose
postage the applicant pays is 已寄出 after the payment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client

from yiwang.cases.models import CaseDelivery, DeliveryStatus
from yiwang.cases.services import accept_case, decide_case
from yiwang.core.crypto import sm2_generate_keypair
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.logistics import postage, services
from yiwang.logistics.models import CourierOrder, OrderStatus, PostagePayer, PostageStatus
from yiwang.payments import services as payments
from yiwang.payments.models import OrderStatus as PaymentStatus
from yiwang.payments.models import PaymentOrder
from yiwang.testing.cases import ServiceItemFactory, submit
from yiwang.testing.fixtures import logged_in
from yiwang.testing.logistics import make_order
from yiwang.testing.paygate_stub import StubState, running_stub

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _payment(order: CourierOrder) -> PaymentOrder:
    return PaymentOrder.objects.get(subject_type=postage.SUBJECT_TYPE, subject_id=str(order.public_id))


def _applicant_order(department, citizen, clerk) -> CourierOrder:
    return make_order(department, owner=citizen, actor=clerk, postage_payer=PostagePayer.APPLICANT)


@pytest.fixture
def stub(settings, tmp_path: Path) -> Iterator[StubState]:
    pairs = {side: sm2_generate_keypair() for side in ("gateway", "platform")}
    keys = {s: {"private": kp.private_key_hex, "public": kp.public_key_hex} for s, kp in pairs.items()}
    keys_file = tmp_path / "paygate-keys.json"
    keys_file.write_text(json.dumps(keys))
    with running_stub(keys["gateway"]["private"], keys["platform"]["public"]) as state:
        settings.YIWANG_PAYGATE_URL = state.base_url
        settings.YIWANG_PAYGATE_KEYS_FILE = str(keys_file)
        settings.YIWANG_PAYGATE_TIMEOUT_S = "2"
        yield state


def test_postage_rates_by_distance(settings):
    assert postage.postage_for("340104", "340104001") == 800  # same county
    assert postage.postage_for("3401", "340104001") == 1000  # same city
    assert postage.postage_for("340200", "340104001") == 1200  # same province
    assert postage.postage_for("310101", "340104001") == 1800  # elsewhere
    settings.LOGISTICS_POSTAGE_FEN = "500,600,700,900"
    assert postage.postage_for("310101", "340104001") == 900
    settings.LOGISTICS_POSTAGE_FEN = "5,oops"
    assert postage.postage_for("310101", "340104001") == 1800  # a malformed setting: the defaults


def test_department_postage_goes_to_the_carrier_at_once(fake_carrier, department, clerk, citizen):
    order = make_order(department, owner=citizen, actor=clerk)
    assert order.status == OrderStatus.SUBMITTED and order.postage_status == PostageStatus.DEPARTMENT_ACCOUNT
    assert order.postage_fen == 1200  # the carrier's price
    assert not PaymentOrder.objects.exists()


def test_applicant_postage_waits_for_payment_then_goes_to_the_carrier(
    fake_carrier, department, clerk, citizen, django_capture_on_commit_callbacks
):
    order = _applicant_order(department, citizen, clerk)
    assert order.status == OrderStatus.CREATED and order.waybill_number == ""
    assert order.postage_status == PostageStatus.AWAITING_PAYMENT and order.postage_fen == 1000
    assert fake_carrier.orders == {}
    payment = _payment(order)
    assert payment.amount_fen == 1000 and payment.payer_id == citizen.pk
    assert payment.lines[0]["name"] == "邮费" and payment.status == PaymentStatus.CREATED
    assert AuditEvent.objects.filter(action="logistics.postage.requested").exists()

    with pytest.raises(DomainError) as refused:  # not before the applicant has paid
        services.submit_order(order, actor=clerk)
    assert refused.value.status == 409
    assert services.retry_unsubmitted(older_than=timedelta(0)) == 0

    with django_capture_on_commit_callbacks(execute=True):
        payments.record_offline_payment(payment, actor=clerk, receipt_no="NO-20260921-1")
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED and order.waybill_number.startswith("SIM")
    assert order.postage_status == PostageStatus.PAID and order.postage_fen == 1000  # ours, not the carrier's
    assert AuditEvent.objects.filter(action="logistics.postage.paid").exists()


def test_applicant_postage_needs_an_applicant(fake_carrier, department, clerk):
    with pytest.raises(DomainError):
        make_order(department, actor=clerk, postage_payer=PostagePayer.APPLICANT)
    assert not CourierOrder.objects.exists() and not PaymentOrder.objects.exists()


def test_a_carrier_down_after_payment_leaves_the_order_for_the_retry_job(
    fake_carrier, department, clerk, citizen, django_capture_on_commit_callbacks
):
    order = _applicant_order(department, citizen, clerk)
    fake_carrier.down = True
    with django_capture_on_commit_callbacks(execute=True):
        payments.record_offline_payment(_payment(order), actor=clerk, receipt_no="NO-1")
    order.refresh_from_db()
    assert order.status == OrderStatus.CREATED and order.postage_status == PostageStatus.PAID
    fake_carrier.down = False
    assert services.retry_unsubmitted(older_than=timedelta(0)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED


def test_postage_page_who_sees_it(fake_carrier, department, clerk, citizen, other_citizen):
    order = _applicant_order(department, citizen, clerk)
    url = f"/logistics/postage/{order.public_id}/pay/"
    page = logged_in(citizen).get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "10.00" in body and _payment(order).code in body
    assert 'id="pay-postage"' in body
    assert logged_in(other_citizen).get(url).status_code == 404
    assert logged_in(other_citizen).post(url + "start/").status_code == 404
    assert logged_in(clerk).get(url).status_code == 302  # staff: their workbench
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert Client().post(url + "start/").status_code == 302
    assert (
        logged_in(citizen).get("/logistics/postage/00000000-0000-0000-0000-000000000000/pay/").status_code
        == 404
    )


def test_postage_page_starts_the_online_payment(stub, fake_carrier, department, clerk, citizen):
    order = _applicant_order(department, citizen, clerk)
    answer = logged_in(citizen).post(f"/logistics/postage/{order.public_id}/pay/start/")
    assert answer.status_code == 302 and answer["Location"].startswith(stub.base_url)
    payment = _payment(order)
    assert payment.status == PaymentStatus.PAYING
    assert payment.pay_url == answer["Location"]
    page = logged_in(citizen).get(f"/logistics/postage/{order.public_id}/pay/")
    assert stub.base_url in page["Content-Security-Policy"]  # form-action: the gateway's cashier


def test_case_result_with_applicant_postage_is_dispatched_after_payment(
    settings, fake_carrier, department, calendar, citizen, clerk, approver, django_capture_on_commit_callbacks
):
    settings.LOGISTICS_CASE_POSTAGE_PAYER = "applicant"
    item = ServiceItemFactory(implementing_body=department)
    case = submit(
        item,
        citizen,
        delivery_method="courier",
        delivery_address="安徽省合肥市蜀山区三里庵街道长江西路 100 号",
        record_delivery=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = decide_case(accept_case(case, actor=clerk), actor=approver, approve=True)
    order = CourierOrder.objects.get(reference_id=str(case.public_id))
    assert order.status == OrderStatus.CREATED and postage.awaits_payment(order)
    assert CaseDelivery.objects.get(case=case).status == DeliveryStatus.PENDING
    page = logged_in(citizen).get(f"/my/cases/{case.public_id}/").content.decode()
    assert f"/logistics/postage/{order.public_id}/pay/" in page and "支付邮费" in page

    with django_capture_on_commit_callbacks(execute=True):
        payments.record_offline_payment(_payment(order), actor=clerk, receipt_no="NO-2")
    order.refresh_from_db()
    delivery = CaseDelivery.objects.get(case=case)
    assert order.status == OrderStatus.SUBMITTED
    assert delivery.status == DeliveryStatus.DISPATCHED and delivery.tracking_number == order.waybill_number
