"""A case that charges fees: the approval issues the payment order and stops the clock (a special
procedure), the case waits (no completion, no delivery) until paid, then completes; a refusal or a
fully exempt application completes at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from yiwang.cases.delivery import record_handover
from yiwang.cases.models import CaseEventType, CaseStatus
from yiwang.cases.services import accept_case, decide_case
from yiwang.cases.services.filing import submit_application
from yiwang.core.errors import DomainError
from yiwang.payments import services
from yiwang.payments.models import OrderStatus, PaymentOrder
from yiwang.testing.payments import notification_body, post_notification
from yiwang.testing.portal import pdf_upload

pytestmark = pytest.mark.django_db


def _accepted(world, **form):
    files = {
        str(m.public_id): [pdf_upload(f"{m.name}.pdf")] for m in world.item.materials.all() if m.mandatory
    }
    case = submit_application(
        applicant=world.citizen,
        item=world.item,
        form_data={"company_name": "合肥徽创科技有限公司", **form},
        files=files,
        delivery_method="window",
    )
    return accept_case(case, actor=world.clerk)


def _order_of(case) -> PaymentOrder:
    return PaymentOrder.objects.get(subject_type="cases.Case", subject_id=str(case.public_id))


def test_approval_waits_for_payment_then_completes(
    world, stub, paygate_keys, frozen, django_capture_on_commit_callbacks
):
    case = _accepted(world)
    with django_capture_on_commit_callbacks(execute=True):
        case = decide_case(case, actor=world.approver, approve=True, comment="符合条件，予以许可")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.clock_paused
    order = _order_of(case)
    assert order.amount_fen == 5000 and order.reference == case.number and order.payer_id == world.citizen.pk
    started = case.events.get(event_type=CaseEventType.SPECIAL_PROCEDURE_STARTED)
    assert started.data["payment_code"] == order.code
    with pytest.raises(DomainError):  # no result to hand over before payment
        record_handover(case, actor=world.clerk, recipient_name="张伟", recipient_signature="张伟")
    with pytest.raises(DomainError):  # and no second decision while waiting
        decide_case(case, actor=world.approver, approve=True, comment="again")
    due_before = case.due_date
    frozen.shift(timedelta(days=3))
    order = services.start_online_payment(order, user=world.citizen)
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_notification(Client(), paygate_keys["gateway"]["private"], notification_body(order))
    assert answer.status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED and case.outcome == "approved" and not case.clock_paused
    assert case.decision_comment == "符合条件，予以许可"
    assert case.due_date > due_before  # the days waiting for the payment did not count
    types = list(case.events.order_by("sequence").values_list("event_type", flat=True))
    assert types[-4:] == [
        CaseEventType.SPECIAL_PROCEDURE_STARTED,
        CaseEventType.SPECIAL_PROCEDURE_ENDED,
        CaseEventType.APPROVED,
        CaseEventType.COMPLETED,
    ]
    assert case.special_procedures.get().ended_at is not None
    record_handover(case, actor=world.clerk, recipient_name="张伟", recipient_signature="张伟")


def test_window_payment_completes_the_case(world, frozen, django_capture_on_commit_callbacks):
    case = decide_case(_accepted(world), actor=world.approver, approve=True, comment="同意")
    with django_capture_on_commit_callbacks(execute=True):
        services.record_offline_payment(_order_of(case), actor=world.clerk, receipt_no="PJ100")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED


def test_refusal_and_full_exemption_complete_at_once(world, frozen):
    refused = decide_case(_accepted(world), actor=world.approver, approve=False, comment="条件不符")
    assert refused.status == CaseStatus.COMPLETED
    services.add_exemption(
        world.rule,
        actor=None,
        code="XW",
        name="小微企业免收",
        percent=100,
        condition_field="small_business",
        condition_value="是",
    )
    exempt = decide_case(
        _accepted(world, small_business="是"), actor=world.approver, approve=True, comment="同意"
    )
    assert exempt.status == CaseStatus.COMPLETED
    assert not PaymentOrder.objects.exists()


def test_closed_order_keeps_the_case_waiting_and_can_be_renewed(
    world, frozen, django_capture_on_commit_callbacks
):
    case = decide_case(_accepted(world), actor=world.approver, approve=True, comment="同意")
    order = _order_of(case)
    frozen.move_to(order.expires_at + timedelta(minutes=1))
    services.close_expired_orders()
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    renewed = services.renew_order(PaymentOrder.objects.get(pk=order.pk), actor=world.citizen)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_offline_payment(renewed, actor=world.clerk, receipt_no="PJ2")
    case.refresh_from_db()
    assert case.status == CaseStatus.COMPLETED
    assert PaymentOrder.objects.get(pk=order.pk).status == OrderStatus.CLOSED
