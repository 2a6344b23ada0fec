"""送达 Delivery of a case's result: the applicant's choice (window pickup, courier, electronic), made
at application and changeable until the case is completed, and the handover record.

* 窗口领取: a window clerk of the handling body records the handover (who, when, to whom, the
  recipient's signature name) as a ``delivered`` event.
* 快递送达: handing the result to the courier (收件人, tracking number) is a ``dispatched`` event and
  the delivery is 已寄出, not delivered; a second handover confirms receipt (签收人) as ``delivered``.
* 电子送达: recorded automatically when the case completes (the result documents are in the
  applicant's case page), as a ``delivered`` event by the system.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases import intake
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import (
    TERMINAL_STATUSES,
    Case,
    CaseDelivery,
    CaseEventType,
    CaseStatus,
    DeliveryMethod,
    DeliveryStatus,
)
from yiwang.cases.services.applicants import check_case_party
from yiwang.cases.signals import case_completed
from yiwang.cases.transitions import notify_applicant, record_event, require_staff_role, transition
from yiwang.core.errors import Conflict, DomainError

HANDOVER_STATUSES = {CaseStatus.COMPLETED, CaseStatus.NOT_ACCEPTED}


def validate_choice(method: str, address: str = "", phone: str = "") -> tuple[str, str, str]:
    """Check a delivery choice: a known method, and an address for a courier."""
    method = (method or DeliveryMethod.ELECTRONIC).strip()
    address = (address or "").strip()
    phone = (phone or "").strip()
    if method not in DeliveryMethod.values:
        raise DomainError(
            CaseErrorCode.DELIVERY_INVALID, "送达方式不正确", {"delivery_method": [method[:20]]}
        )
    if method == DeliveryMethod.COURIER and len(address) < 5:
        raise DomainError(
            CaseErrorCode.DELIVERY_INVALID, "快递送达须填写详细地址", {"delivery_address": ["必填"]}
        )
    if len(address) > 300:
        raise DomainError(CaseErrorCode.DELIVERY_INVALID, "地址过长", {"delivery_address": ["不超过300字"]})
    if phone and (not phone.isdigit() or len(phone) != 11):
        raise DomainError(
            CaseErrorCode.DELIVERY_INVALID, "收件人手机号不正确", {"delivery_phone": [phone[:20]]}
        )
    return method, address if method == DeliveryMethod.COURIER else "", phone


def delivery_of(case: Case) -> CaseDelivery:
    """The case's delivery record (created from the case's method the first time it is needed)."""
    delivery = CaseDelivery.objects.filter(case=case).first()
    if delivery is None:
        delivery, _ = CaseDelivery.objects.get_or_create(case=case, defaults={"method": case.delivery_method})
    return delivery


def record_choice(case: Case, *, method: str, address: str = "", phone: str = "") -> CaseDelivery:
    """Keep the choice made with the application (called right after the case is filed)."""
    method, address, phone = validate_choice(method, address, phone)
    delivery, _created = CaseDelivery.objects.get_or_create(
        case=case, defaults={"method": method, "address": address, "recipient_phone": phone}
    )
    return delivery


def record_new_choice(case: Case, *, method: str, address: str = "", phone: str = "") -> CaseDelivery:
    """The choice made with an application, inside the transaction that files it (a new case has
    no delivery record yet)."""
    method, address, phone = validate_choice(method, address, phone)
    return CaseDelivery.objects.create(case=case, method=method, address=address, recipient_phone=phone)


def change_delivery(
    case: Case, *, user: User, method: str, address: str = "", phone: str = ""
) -> CaseDelivery:
    """变更送达方式 The applicant (or his agent) changes how he gets the result, before completion."""
    method, address, phone = validate_choice(method, address, phone)
    acting_for = check_case_party(case, user)
    with transition(case, set(CaseStatus.values) - set(TERMINAL_STATUSES), actor=user) as t:
        delivery = CaseDelivery.objects.select_for_update().filter(case=t.case).first() or delivery_of(t.case)
        previous = delivery.method
        delivery.method, delivery.address, delivery.recipient_phone = method, address, phone
        delivery.save(update_fields=["method", "address", "recipient_phone", "updated_at"])
        t.case.delivery_method = method
        t.save("delivery_method")
        t.record(
            CaseEventType.DELIVERY_CHANGED,
            data={"from": previous, "to": method, "address": address, **acting_for},
        )
    return delivery


def record_handover(
    case: Case,
    *,
    actor: User,
    recipient_name: str,
    recipient_signature: str = "",
    tracking_number: str = "",
) -> CaseDelivery:
    """交接 A window clerk hands the result over (window pickup) or to a courier (tracking number:
    已寄出); for a dispatched courier delivery the next handover confirms receipt (签收人 required)."""
    recipient_name = (recipient_name or "").strip()[:100]
    recipient_signature = (recipient_signature or "").strip()[:100]
    tracking_number = (tracking_number or "").strip()[:40]
    with transition(case, HANDOVER_STATUSES, actor=actor) as t:
        locked = t.case
        # The data scope: a window clerk of the handling body (the default rule), or a clerk a
        # registered handover predicate admits (统一窗口出件, see yiwang.cases.intake).
        if not intake.may_hand_over_elsewhere(actor, locked):
            require_staff_role(actor, locked, ["window_clerk"])
        delivery = CaseDelivery.objects.select_for_update().filter(case=locked).first() or delivery_of(locked)
        if delivery.status == DeliveryStatus.DELIVERED:
            raise Conflict("该办件结果已送达", code=CaseErrorCode.ALREADY_DELIVERED)
        if delivery.status == DeliveryStatus.DISPATCHED:
            if not recipient_signature:
                raise DomainError(
                    CaseErrorCode.DELIVERY_INVALID,
                    "确认送达须填写签收人",
                    {"recipient_signature": ["请填写签收人"]},
                )
            _mark_delivered(
                locked,
                delivery,
                actor=actor,
                recipient_name=recipient_name or delivery.recipient_name,
                recipient_signature=recipient_signature,
                tracking_number=tracking_number or delivery.tracking_number,
            )
            return delivery
        errors: dict[str, list[str]] = {}
        if not recipient_name:
            errors["recipient_name"] = ["请填写领取人/收件人"]
        if delivery.method == DeliveryMethod.COURIER and not tracking_number:
            errors["tracking_number"] = ["快递送达须填写快递单号"]
        if delivery.method == DeliveryMethod.WINDOW and not recipient_signature:
            errors["recipient_signature"] = ["窗口领取须由领取人签名"]
        if delivery.method == DeliveryMethod.ELECTRONIC:
            raise Conflict("电子送达在办结时自动完成，无需交接", code=CaseErrorCode.INVALID_TRANSITION)
        if errors:
            raise DomainError(CaseErrorCode.DELIVERY_INVALID, "送达交接信息不完整", errors)
        if delivery.method == DeliveryMethod.COURIER:
            _mark_dispatched(
                locked, delivery, actor=actor, recipient_name=recipient_name, tracking_number=tracking_number
            )
            return delivery
        _mark_delivered(
            locked,
            delivery,
            actor=actor,
            recipient_name=recipient_name,
            recipient_signature=recipient_signature,
            tracking_number=tracking_number,
        )
    return delivery


def record_courier_dispatch(case: Case, *, recipient_name: str, tracking_number: str) -> CaseDelivery:
    """已寄出 by the platform: the courier order of the case's result was accepted by the carrier
    (cases/courier.py); a delivery already dispatched or delivered is left as it is."""
    with transition(case, HANDOVER_STATUSES, actor=None) as t:
        delivery = CaseDelivery.objects.select_for_update().filter(case=t.case).first() or delivery_of(t.case)
        if delivery.status == DeliveryStatus.PENDING and delivery.method == DeliveryMethod.COURIER:
            _mark_dispatched(
                t.case,
                delivery,
                actor=None,
                recipient_name=recipient_name[:100],
                tracking_number=tracking_number[:40],
            )
    return delivery


def confirm_courier_receipt(case: Case, *, signed_by: str, tracking_number: str) -> CaseDelivery:
    """已送达 by the platform: the carrier reported the parcel signed for (cases/courier.py)."""
    with transition(case, HANDOVER_STATUSES, actor=None) as t:
        delivery = CaseDelivery.objects.select_for_update().filter(case=t.case).first() or delivery_of(t.case)
        if delivery.status != DeliveryStatus.DELIVERED:
            _mark_delivered(
                t.case,
                delivery,
                actor=None,
                recipient_signature=(signed_by or delivery.recipient_name)[:100],
                tracking_number=tracking_number[:40] or delivery.tracking_number,
            )
    return delivery


def _mark_dispatched(
    case: Case, delivery: CaseDelivery, *, actor: User | None, recipient_name: str, tracking_number: str
) -> None:
    """已寄出 The result is with the courier: not delivered until receipt is confirmed."""
    delivery.status = DeliveryStatus.DISPATCHED
    delivery.dispatched_at = timezone.now()
    delivery.handed_over_by = actor
    delivery.recipient_name, delivery.tracking_number = recipient_name, tracking_number
    delivery.save(
        update_fields=[
            "status",
            "dispatched_at",
            "handed_over_by",
            "recipient_name",
            "tracking_number",
            "updated_at",
        ]
    )
    data: dict[str, Any] = {
        "method": delivery.method,
        "recipient_name": recipient_name,
        "tracking_number": tracking_number,
    }
    if delivery.address:
        data["address"] = delivery.address
    record_event(case, CaseEventType.DISPATCHED, actor=actor, from_status=case.status, data=data)
    notify_applicant(case, CaseEventType.DISPATCHED)


def _mark_delivered(case: Case, delivery: CaseDelivery, *, actor: User | None, **fields: str) -> None:
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = timezone.now()
    delivery.handed_over_by = actor
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.save(update_fields=["status", "delivered_at", "handed_over_by", *fields.keys(), "updated_at"])
    data: dict[str, Any] = {"method": delivery.method, **fields}
    if delivery.address:
        data["address"] = delivery.address
    record_event(case, CaseEventType.DELIVERED, actor=actor, from_status=case.status, data=data)
    if delivery.method != DeliveryMethod.ELECTRONIC:  # electronic: the completion message says it all
        notify_applicant(case, CaseEventType.DELIVERED)


@receiver(case_completed, dispatch_uid="cases.delivery.electronic")
def deliver_electronically(sender: object, case: Case, **kwargs: Any) -> None:
    """电子送达 at completion, in the completing transaction (sub-cases of a bundle are delivered
    with the bundle's combined result instead)."""
    if case.delivery_method != DeliveryMethod.ELECTRONIC or hasattr(case, "bundle_link"):
        return
    delivery = delivery_of(case)
    if delivery.status == DeliveryStatus.DELIVERED:
        return
    _mark_delivered(case, delivery, actor=None, recipient_name=case.applicant_name)
