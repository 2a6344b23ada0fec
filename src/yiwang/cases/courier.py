"""快递送达 (courier) of a case's result through the logistics app — the edge between cases and logistics.

Chosen behaviour (docs/logistics.md "Case integration"): **automatic at result issue**.  When a case
whose delivery method is 快递送达 completes (``case_completed``), a task creates the delivery
:class:`~yiwang.logistics.models.CourierOrder` once the completion is committed: sender the
handling department, recipient the applicant at the delivery address (its division resolved from
the address text against the region tree, county level at least), postage paid by the department.
The carrier's waybill number becomes the case's tracking number and the delivery is 已寄出
(:func:`record_courier_dispatch`).  When the carrier reports 签收, logistics sends
``order_delivered`` and :func:`on_order_delivered` closes the handover step (已送达,
:func:`confirm_courier_receipt`).

When the address cannot be resolved or the carrier refuses it, nothing is dispatched: the refusal is
audited and the window clerk records the handover by hand as before (tracking number typed in).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_tasks import task

from yiwang.cases.models import Case, CaseDelivery, DeliveryMethod, DeliveryStatus
from yiwang.cases.services.delivery import confirm_courier_receipt, record_courier_dispatch
from yiwang.cases.signals import case_completed
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.logistics import conf as logistics_conf
from yiwang.logistics import reads as logistics_reads
from yiwang.logistics import services as logistics
from yiwang.logistics.addresses import resolve_region
from yiwang.logistics.errors import LogisticsErrorCode
from yiwang.logistics.models import CourierOrder, OrderKind, OrderStatus, PostagePayer
from yiwang.logistics.signals import order_delivered, order_submitted

logger = logging.getLogger(__name__)

REFERENCE_TYPE = "cases.Case"


def on_case_completed(sender: Any, case: Case, actor: Any = None, **kwargs: Any) -> None:
    """Enqueue the courier order once the completion is committed (sub-cases of a bundle are
    delivered with the bundle's combined result instead)."""
    if case.delivery_method != DeliveryMethod.COURIER or hasattr(case, "bundle_link"):
        return
    case_id = case.pk
    transaction.on_commit(lambda: ship_case_result_task.enqueue(case_id))


@task()
def ship_case_result_task(case_id: int) -> None:
    ship_case_result(Case.objects.select_related("handling_organisation", "applicant").get(pk=case_id))


def case_orders(case: Case) -> list[CourierOrder]:
    return logistics_reads.orders_for_reference(REFERENCE_TYPE, str(case.public_id))


def ship_case_result(case: Case) -> CourierOrder | None:
    """Create (once) the delivery order of ``case``'s result and mark the case 已寄出."""
    delivery = CaseDelivery.objects.filter(case=case).first()
    if (
        delivery is None
        or delivery.method != DeliveryMethod.COURIER
        or delivery.status != DeliveryStatus.PENDING
    ):
        return None
    existing = [
        o for o in case_orders(case) if o.kind == OrderKind.DELIVERY and o.status != OrderStatus.CANCELLED
    ]
    order = existing[0] if existing else _create(case, delivery)
    if order is not None and order.waybill_number:
        record_courier_dispatch(
            case, recipient_name=order.recipient_name, tracking_number=order.waybill_number
        )
    return order


def _create(case: Case, delivery: CaseDelivery) -> CourierOrder | None:
    region = resolve_region(delivery.address)
    if region is None:
        audit.record(
            "cases.courier.address_unresolved", obj=case, detail={"number": case.number, "reason": "region"}
        )
        return None
    try:
        return logistics.create_order(
            actor=None,
            kind=OrderKind.DELIVERY,
            organisation=case.handling_organisation,
            owner=case.applicant,
            sender=logistics.department_sender(case.handling_organisation),
            recipient={
                "name": case.applicant_name[:50],
                "phone": delivery.recipient_phone or case.applicant.phone,
                "region_code": region.code,
                "address": delivery.address,
            },
            contents="办理结果",
            postage_payer=logistics_conf.case_postage_payer(),
            reference=(REFERENCE_TYPE, str(case.public_id), case.number),
            require_street=False,
        )
    except DomainError as exc:
        logger.warning("courier order for case %s not placed: %s", case.number, exc.message)
        audit.record(
            "cases.courier.order_refused",
            obj=case,
            detail={"number": case.number, "code": exc.code, "message": exc.message},
        )
        return None


PICKUP_CONTENTS = "申请材料原件"


def wants_originals(item: Any) -> bool:
    """材料收取 is offered when the item asks for paper originals of some material."""
    return bool(item.materials.filter(originals__gt=0).exists())


def validate_pickup_address(address: str) -> Any:
    """The applicant's pickup address: 5-200 characters whose county (or township) is known."""
    address = (address or "").strip()
    if not 5 <= len(address) <= 200:
        raise DomainError(
            LogisticsErrorCode.INVALID_ADDRESS, "请填写取件地址（5至200字）", {"pickup_address": ["5至200字"]}
        )
    region = resolve_region(address)
    if region is None:
        raise DomainError(
            LogisticsErrorCode.INVALID_ADDRESS,
            "无法识别取件地址所在区县，请写明省、市、区县",
            {"pickup_address": ["无法识别所在区县"]},
        )
    return region


def request_materials_pickup(case: Case, *, address: str, phone: str = "") -> CourierOrder:
    """材料收取 A pickup order (once per case) from the applicant's address to the handling
    department, postage on the department; the carrier refusing or not answering raises (the order
    not answered is resubmitted by ``poll_courier_tracking``)."""
    region = validate_pickup_address(address)
    existing = [
        o for o in case_orders(case) if o.kind == OrderKind.PICKUP and o.status != OrderStatus.CANCELLED
    ]
    if existing:
        return existing[0]
    return logistics.create_order(
        actor=None,
        kind=OrderKind.PICKUP,
        organisation=case.handling_organisation,
        owner=case.applicant,
        sender={
            "name": case.applicant_name[:50],
            "phone": phone or case.applicant.phone,
            "region_code": region.code,
            "address": address.strip(),
        },
        recipient=logistics.department_sender(case.handling_organisation),
        contents=PICKUP_CONTENTS,
        reference=(REFERENCE_TYPE, str(case.public_id), case.number),
        require_street=False,
    )


def on_order_delivered(sender: Any, order: CourierOrder, **kwargs: Any) -> None:
    """签收 → the case's handover step is closed (已送达); a case that cannot take it is audited,
    never an error for the carrier's callback."""
    if order.reference_type != REFERENCE_TYPE or order.kind != OrderKind.DELIVERY:
        return
    case = Case.objects.filter(public_id=order.reference_id).first()
    if case is None:
        return
    try:
        with transaction.atomic():
            confirm_courier_receipt(case, signed_by=order.signed_by, tracking_number=order.waybill_number)
    except DomainError as exc:
        logger.warning("delivery of case %s not confirmed: %s", case.number, exc.message)
        audit.record(
            "cases.courier.confirm_refused", obj=case, detail={"code": exc.code, "message": exc.message}
        )


def on_order_submitted(sender: Any, order: CourierOrder, **kwargs: Any) -> None:
    """An order that waited for the applicant's postage reached the carrier: 已寄出 after the commit."""
    if (
        order.reference_type != REFERENCE_TYPE
        or order.kind != OrderKind.DELIVERY
        or order.postage_payer != PostagePayer.APPLICANT  # the others: ship_case_result records it
    ):
        return
    reference_id = order.reference_id

    def dispatch() -> None:
        case = Case.objects.filter(public_id=reference_id).first()
        if case is not None:
            ship_case_result(case)

    transaction.on_commit(dispatch)


def connect() -> None:
    case_completed.connect(on_case_completed, dispatch_uid="cases.courier.ship_on_completion")
    order_delivered.connect(on_order_delivered, dispatch_uid="cases.courier.confirm_on_delivered")
    order_submitted.connect(on_order_submitted, dispatch_uid="cases.courier.dispatch_on_submitted")
