"""快递下单与取消 Creating, submitting and cancelling courier orders.

``create_order`` checks both addresses against the region tree, stores the order (``created``),
then — outside the transaction, the carrier is a remote system — submits it: the carrier's waybill
number moves it to ``submitted``.  A refusal by the carrier (undeliverable address) leaves the order
``created`` with the reason and answers 422; a carrier that does not answer leaves it ``created`` for
:func:`yiwang.logistics.services.tracking.retry_unsubmitted` (503 to the caller).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.models import Organisation, RegionLevel
from yiwang.logistics import conf, postage
from yiwang.logistics.addresses import CheckedParty, check_party, full_address, resolve_region
from yiwang.logistics.carriers import (
    CarrierOrderRequest,
    CarrierRefused,
    CarrierUnavailable,
    Party,
    carrier_for,
)
from yiwang.logistics.errors import LogisticsErrorCode
from yiwang.logistics.models import CourierOrder, OrderKind, OrderStatus, PostagePayer
from yiwang.logistics.permissions import require_clerk
from yiwang.logistics.signals import order_submitted

logger = logging.getLogger(__name__)

CALLBACK_PATH = "/api/v1/logistics/callbacks/sim"
CANCELLABLE = frozenset({OrderStatus.CREATED, OrderStatus.SUBMITTED})


def callback_url() -> str:
    return conf.callback_base_url() + CALLBACK_PATH


def record_transition(order: CourierOrder, from_status: str, *, actor: Any = None, **detail: Any) -> None:
    """Every status change of an order leaves an audit entry ``logistics.order.<to status>``."""
    audit.record(
        f"logistics.order.{order.status}",
        actor=actor,
        obj=order,
        detail={"from": from_status, "to": order.status, "waybill": order.waybill_number, **detail},
    )


def create_order(
    *,
    actor: Any,
    kind: str,
    organisation: Organisation,
    sender: dict[str, str],
    recipient: dict[str, str],
    owner: Any = None,
    contents: str = "",
    postage_payer: str = PostagePayer.DEPARTMENT,
    reference: tuple[str, str, str] = ("", "", ""),
    require_street: bool = True,
    submit: bool = True,
) -> CourierOrder:
    """下单 A courier order of ``organisation``: checked, stored, then submitted to the carrier.

    ``actor`` is a window clerk of the department, or ``None`` for the platform itself (the case
    hook); ``reference`` is (type, id, label) of what the order serves."""
    if actor is not None:
        require_clerk(actor, organisation.pk)
    if kind not in OrderKind.values:
        raise DomainError(LogisticsErrorCode.INVALID_ADDRESS, "订单类型不正确", {"kind": [str(kind)[:20]]})
    if postage_payer not in PostagePayer.values:
        raise DomainError(
            LogisticsErrorCode.INVALID_ADDRESS,
            "邮费支付方不正确",
            {"postage_payer": [str(postage_payer)[:20]]},
        )
    # The department's own side (sender of a delivery, recipient of a pickup) may be at city level.
    department_side = "sender" if kind == OrderKind.DELIVERY else "recipient"
    checked_sender = check_party(
        "sender",
        require_street=require_street and department_side != "sender",
        min_level=_level("sender", department_side),
        **sender,
    )
    checked_recipient = check_party(
        "recipient",
        require_street=require_street and department_side != "recipient",
        min_level=_level("recipient", department_side),
        **recipient,
    )
    reference_type, reference_id, reference_label = reference
    with transaction.atomic():
        order = CourierOrder(
            kind=kind,
            organisation=organisation,
            owner=owner,
            created_by=actor,
            reference_type=reference_type[:40],
            reference_id=reference_id[:64],
            reference_label=reference_label[:60],
            contents=(contents or "").strip()[:100],
            postage_payer=postage_payer,
        )
        _set_party(order, "sender", checked_sender)
        _set_party(order, "recipient", checked_recipient)
        order.save()
        record_transition(order, "", actor=actor, kind=kind, reference=reference_label)
        if postage_payer == PostagePayer.APPLICANT:  # to the carrier once the applicant has paid
            postage.request_applicant_payment(order)
    if submit and not postage.awaits_payment(order):
        submit_order(order, actor=actor)
    return order


def _level(prefix: str, department_side: str) -> int:
    return int(RegionLevel.CITY if prefix == department_side else RegionLevel.COUNTY)


def _set_party(order: CourierOrder, prefix: str, party: CheckedParty) -> None:
    setattr(order, f"{prefix}_name", party.name)
    setattr(order, f"{prefix}_phone", party.phone)
    setattr(order, f"{prefix}_region", party.region.code)
    setattr(order, f"{prefix}_address", party.address)


def _party(order: CourierOrder, prefix: str) -> Party:
    return Party(
        name=getattr(order, f"{prefix}_name"),
        phone=getattr(order, f"{prefix}_phone"),
        region_code=str(getattr(order, f"{prefix}_region")).ljust(6, "0"),
        address=getattr(order, f"{prefix}_address"),
    )


def submit_order(order: CourierOrder, *, actor: Any = None) -> CourierOrder:
    """提交承运商 Send a ``created`` order to its carrier (idempotent at the carrier by order id)."""
    if actor is not None:
        require_clerk(actor, order.organisation_id)
    if order.status != OrderStatus.CREATED:
        raise Conflict("该订单已提交承运商", code=LogisticsErrorCode.INVALID_TRANSITION)
    if postage.awaits_payment(order):
        raise Conflict("申请人尚未支付邮费，暂不能提交承运商", code=LogisticsErrorCode.INVALID_TRANSITION)
    request = CarrierOrderRequest(
        order_ref=str(order.public_id),
        kind=order.kind,
        sender=_party(order, "sender"),
        recipient=_party(order, "recipient"),
        contents=order.contents,
        callback_url=callback_url(),
    )
    try:
        result = carrier_for(order.carrier).create_order(request)
    except CarrierRefused as exc:
        _record_failure(order, f"承运商拒绝：{exc.message}", actor=actor, refused=True)
        raise DomainError(
            LogisticsErrorCode.CARRIER_REFUSED,
            f"承运商拒绝下单：{exc.message}",
            {"recipient.region_code": [exc.message]},
            status=422,
        ) from None
    except CarrierUnavailable as exc:
        _record_failure(order, exc.message, actor=actor, refused=False)
        raise DomainError(
            LogisticsErrorCode.CARRIER_UNAVAILABLE, "承运商暂时无法连接，稍后将自动重试", status=503
        ) from None
    with transaction.atomic():
        locked = CourierOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.CREATED:
            locked.status = OrderStatus.SUBMITTED
            locked.waybill_number = result.waybill_number
            if locked.postage_payer == PostagePayer.DEPARTMENT:  # the applicant's postage is set already
                locked.postage_fen = result.postage_fen
            locked.submitted_at = timezone.now()
            locked.last_error = ""
            locked.save(
                update_fields=[
                    "status",
                    "waybill_number",
                    "postage_fen",
                    "submitted_at",
                    "last_error",
                    "updated_at",
                ]
            )
            record_transition(locked, OrderStatus.CREATED, actor=actor, postage_fen=result.postage_fen)
            order_submitted.send(sender=CourierOrder, order=locked)
    order.refresh_from_db()
    return order


def _record_failure(order: CourierOrder, message: str, *, actor: Any, refused: bool) -> None:
    with transaction.atomic():
        locked = CourierOrder.objects.select_for_update().get(pk=order.pk)
        locked.last_error = message[:300]
        locked.save(update_fields=["last_error", "updated_at"])
        audit.record(
            "logistics.order.carrier_refused" if refused else "logistics.order.carrier_unavailable",
            actor=actor,
            obj=locked,
            detail={"message": message[:300]},
        )
    order.last_error = message[:300]
    logger.warning("courier order %s not submitted: %s", order.public_id, message)


def cancel_order(order: CourierOrder, *, actor: Any, reason: str = "") -> CourierOrder:
    """取消 Until the parcel is picked up; the carrier is told first (it refuses once picked up)."""
    require_clerk(actor, order.organisation_id)
    if order.status not in CANCELLABLE:
        raise Conflict(
            f"订单状态为“{order.get_status_display()}”，不能取消", code=LogisticsErrorCode.INVALID_TRANSITION
        )
    if order.waybill_number:
        try:
            carrier_for(order.carrier).cancel(order.waybill_number)
        except CarrierRefused as exc:
            raise Conflict(
                f"承运商不同意取消：{exc.message}", code=LogisticsErrorCode.INVALID_TRANSITION
            ) from None
        except CarrierUnavailable:
            raise DomainError(
                LogisticsErrorCode.CARRIER_UNAVAILABLE, "承运商暂时无法连接，请稍后再试", status=503
            ) from None
    with transaction.atomic():
        locked = CourierOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status not in CANCELLABLE:
            raise Conflict("订单状态已变化，不能取消", code=LogisticsErrorCode.INVALID_TRANSITION)
        from_status = locked.status
        locked.status = OrderStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        record_transition(locked, from_status, actor=actor, reason=(reason or "").strip()[:200])
    order.refresh_from_db()
    return order


def department_sender(organisation: Organisation, *, region_code: str = "") -> dict[str, str]:
    """The department as sender (or recipient) of an order: its name, phone and address."""
    region = resolve_region(organisation.address) or organisation.region
    return {
        "name": (organisation.short_name or organisation.name)[:50],
        "phone": organisation.phone or "0551-12345678",
        "region_code": region_code or region.code,
        "address": full_address(region, organisation.address or f"{organisation.name}政务服务窗口"),
    }
