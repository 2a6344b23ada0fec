"""邮费 Who pays the postage of a courier order, and how the applicant pays it.

* 部门付费 (default): the department's monthly account with the carrier; the order goes to the
  carrier at once.
* 申请人付费: the postage is set by :func:`postage_for` (a rate by the distance between the two
  regions: same county, same city, same province, elsewhere; ``LOGISTICS_POSTAGE_FEN``), a payment
  order (缴款单, ``logistics.CourierOrder`` + the order's public id) is opened for the applicant
  through the payments app, and the courier order stays ``created`` (``awaiting_payment``) until
  that payment order is paid: payments' ``order_paid`` marks the postage paid and, after the
  commit, the order is submitted to the carrier.  The applicant pays on
  ``/logistics/postage/<order id>/pay/`` (linked from the case page's tracking card) or at the
  window (finance view, like any payment order).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.logistics import conf
from yiwang.logistics.errors import LogisticsErrorCode
from yiwang.logistics.models import CourierOrder, OrderKind, OrderStatus, PostagePayer, PostageStatus
from yiwang.payments.models import OPEN_STATUSES, PAID_STATUSES, PaymentOrder
from yiwang.payments.services import open_order, open_order_for
from yiwang.payments.signals import order_paid

logger = logging.getLogger(__name__)

SUBJECT_TYPE = "logistics.CourierOrder"
POSTAGE_LINE = "邮费"
POSTAGE_BASIS = "寄递服务协议资费"


def postage_for(sender_region: str, recipient_region: str) -> int:
    """The applicant's postage in fen by distance: the rates of ``LOGISTICS_POSTAGE_FEN`` (same
    county, same city, same province, elsewhere)."""
    local, city, province, national = conf.postage_rates_fen()
    a, b = str(sender_region), str(recipient_region)
    if a[:6] == b[:6] and len(a) >= 6 and len(b) >= 6:
        return local
    if a[:4] == b[:4]:
        return city
    if a[:2] == b[:2]:
        return province
    return national


def payer_name(order: CourierOrder) -> str:
    """The applicant's side of the order: the recipient of a delivery, the sender of a pickup."""
    return str(order.sender_name if order.kind == OrderKind.PICKUP else order.recipient_name)


def request_applicant_payment(order: CourierOrder) -> PaymentOrder:
    """In the transaction that stores a new ``created`` order of postage paid by the applicant: set
    the postage, open the payment order, mark the courier order ``awaiting_payment``."""
    if order.owner_id is None:
        raise DomainError(
            LogisticsErrorCode.INVALID_ADDRESS,
            "申请人付费的订单必须关联申请人",
            {"postage_payer": ["没有申请人，不能由申请人付费"]},
        )
    order.postage_fen = postage_for(order.sender_region, order.recipient_region)
    order.postage_status = PostageStatus.AWAITING_PAYMENT
    order.save(update_fields=["postage_fen", "postage_status", "updated_at"])
    payment = _open_payment_order(order)
    audit.record(
        "logistics.postage.requested",
        obj=order,
        detail={"postage_fen": order.postage_fen, "payment_code": payment.code},
    )
    return payment


def _open_payment_order(order: CourierOrder) -> PaymentOrder:
    assert order.owner_id is not None  # checked by the caller
    existing = open_order_for(SUBJECT_TYPE, str(order.public_id))
    if existing is not None:
        return existing
    label = order.reference_label or str(order.public_id)[:8]
    line = {
        "fee_item_id": 0,
        "name": POSTAGE_LINE,
        "gross_fen": order.postage_fen,
        "reduction_fen": 0,
        "net_fen": order.postage_fen,
        "quantity": "",
        "legal_basis": POSTAGE_BASIS,
        "exemption_code": "",
        "exemption_name": "",
        "exemption_basis": "",
    }
    return open_order(
        subject_type=SUBJECT_TYPE,
        subject_id=str(order.public_id),
        reference=label,
        title=f"{POSTAGE_LINE}（{order.get_kind_display()} {label}）",
        organisation=order.organisation,
        payer_id=order.owner_id,
        payer_name=payer_name(order),
        lines=[line],
        context={"courier_order": str(order.public_id)},
        event_data={"courier_order": str(order.public_id), "kind": order.kind},
    )


def payment_order(order: CourierOrder) -> PaymentOrder | None:
    """The newest payment order of the order's postage (open, paid or the last closed one)."""
    return (
        PaymentOrder.objects.filter(subject_type=SUBJECT_TYPE, subject_id=str(order.public_id))
        .order_by("-created_at", "-pk")
        .first()
    )


def awaits_payment(order: CourierOrder) -> bool:
    return (
        order.postage_payer == PostagePayer.APPLICANT
        and order.postage_status == PostageStatus.AWAITING_PAYMENT
        and order.status == OrderStatus.CREATED
    )


def mark_postage_paid(order: CourierOrder, payment: PaymentOrder | None = None) -> bool:
    """The applicant has paid the postage (the order is locked by the caller); True when it changed."""
    if order.postage_status == PostageStatus.PAID:
        return False
    order.postage_status = PostageStatus.PAID
    order.save(update_fields=["postage_status", "updated_at"])
    audit.record(
        "logistics.postage.paid",
        obj=order,
        detail={"postage_fen": order.postage_fen, "payment_code": payment.code if payment else ""},
    )
    return True


def on_order_paid(sender: Any, *, order: PaymentOrder, **_: Any) -> None:
    """payments' ``order_paid`` (inside the paying transaction): the postage is paid; the courier
    order goes to the carrier after the commit (the carrier is a remote system)."""
    if order.subject_type != SUBJECT_TYPE or order.status not in PAID_STATUSES:
        return
    courier = CourierOrder.objects.select_for_update().filter(public_id=order.subject_id).first()
    if courier is None or not mark_postage_paid(courier, order):
        return
    if courier.status == OrderStatus.CREATED:
        courier_id = courier.pk
        transaction.on_commit(lambda: submit_paid_order(courier_id))


def submit_paid_order(courier_id: int) -> None:
    from yiwang.logistics.services.orders import submit_order

    courier = CourierOrder.objects.filter(pk=courier_id, status=OrderStatus.CREATED).first()
    if courier is None:
        return
    try:
        submit_order(courier)
    except DomainError as exc:  # refused: audited by submit_order; unreachable: retried by the job
        logger.warning("courier order %s not submitted after payment: %s", courier.public_id, exc.message)


def may_pay_online(order: CourierOrder, payment: PaymentOrder | None) -> bool:
    return payment is not None and payment.status in OPEN_STATUSES and awaits_payment(order)


def connect() -> None:
    order_paid.connect(on_order_paid, dispatch_uid="logistics.postage.order_paid")
