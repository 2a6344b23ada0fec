"""退款 Refunds: full or partial, never more than what was paid and is not refunded or being
refunded; one refund number per request, so a retried call never refunds twice."""

from __future__ import annotations

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core.errors import Conflict, DomainError
from yiwang.payments import conf
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.gateways.base import GatewayError, GatewayRefused, PaymentGateway, RefundRequest
from yiwang.payments.gateways.offline import OfflineGateway
from yiwang.payments.models import (
    OrderStatus,
    PaymentEventType,
    PaymentOrder,
    Refund,
    RefundStatus,
)
from yiwang.payments.services.common import (
    FINANCE_ROLE,
    fiscal_gateway,
    locked_order,
    record_event,
    require_staff_of,
    save_order,
)

logger = logging.getLogger("yiwang.payments")
REFUNDABLE_STATUSES = {
    OrderStatus.PAID,
    OrderStatus.REFUNDING,
    OrderStatus.REFUNDED,
    OrderStatus.REFUND_FAILED,
}


def gateway_for(order: PaymentOrder) -> PaymentGateway:
    return OfflineGateway(order.receipt_no) if order.gateway == OfflineGateway.name else fiscal_gateway()


def request_refund(
    order: PaymentOrder, *, actor: User, amount_fen: int, reason: str, gateway: PaymentGateway | None = None
) -> Refund:
    """申请退款 by a finance officer of the department: recorded (``refunding``) in one transaction,
    then sent to the gateway; a gateway out of reach leaves it ``refunding`` for the query job."""
    require_staff_of(actor, order, (FINANCE_ROLE,), "refund")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(PaymentErrorCode.INVALID_AMOUNT, "请填写退款原因", {"reason": ["必填"]})
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        raise DomainError(
            PaymentErrorCode.INVALID_AMOUNT, "退款金额须为正整数（分）", {"amount_fen": ["须大于0"]}
        )
    with transaction.atomic():
        locked = locked_order(order)
        if locked.status not in REFUNDABLE_STATUSES:
            raise Conflict("只有已缴费的缴款单可以退款", code=PaymentErrorCode.INVALID_TRANSITION)
        refundable = locked.refundable_fen
        if amount_fen > refundable:
            raise Conflict(
                "退款金额超过可退金额",
                code=PaymentErrorCode.REFUND_EXCEEDS,
                fields={"amount_fen": [f"最多可退 {refundable} 分"]},
            )
        number = locked.refunds.count() + 1
        refund = Refund.objects.create(
            order=locked,
            refund_no=f"R{locked.code}{number:03d}",
            amount_fen=amount_fen,
            reason=reason[:1000],
            requested_by=actor,
        )
        previous = locked.status
        locked.status = OrderStatus.REFUNDING
        save_order(locked)
        record_event(
            locked,
            PaymentEventType.REFUND_REQUESTED,
            from_status=previous,
            actor=actor,
            source="web",
            amount_fen=amount_fen,
            data={"refund_no": refund.refund_no, "reason": reason[:500]},
        )
    send_refund(refund, gateway or gateway_for(locked))
    refund.refresh_from_db()
    return refund


def send_refund(refund: Refund, gateway: PaymentGateway) -> None:
    """Send (or resend: idempotent by refund number) a refund to the gateway and apply its answer."""
    try:
        answer = gateway.refund(
            RefundRequest(
                order_no=refund.order.code,
                refund_no=refund.refund_no,
                amount_fen=refund.amount_fen,
                reason=refund.reason[:200],
                notify_url=conf.public_url() + reverse("api:payments_notify_fiscal"),
            )
        )
    except GatewayRefused as exc:
        logger.warning("refund %s refused by the gateway: %s", refund.refund_no, exc.code)
        apply_refund_result(refund, RefundStatus.FAILED, source="gateway", data={"gateway_code": exc.code})
        return
    except GatewayError as exc:
        logger.warning("refund %s not sent: %s (the query job retries)", refund.refund_no, exc)
        return
    if answer.status in (RefundStatus.REFUNDED, RefundStatus.FAILED):
        apply_refund_result(refund, answer.status, source="gateway")


def apply_refund_result(
    refund: Refund, status: str, *, source: str, data: dict[str, object] | None = None
) -> bool:
    """The gateway's final word on a refund; the order is ``refunded`` when no other refund is in
    flight and something was refunded, ``refund_failed`` when the last one failed.  Returns whether
    this changed anything (a repeated result does not)."""
    with transaction.atomic():
        order = locked_order(refund.order_id)
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.status != RefundStatus.REFUNDING:
            return False
        locked.status = RefundStatus.REFUNDED if status == RefundStatus.REFUNDED else RefundStatus.FAILED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at", "updated_at"])
        previous = order.status
        if locked.status == RefundStatus.REFUNDED:
            order.refunded_fen += locked.amount_fen
        in_flight = order.refunds.filter(status=RefundStatus.REFUNDING).exists()
        if not in_flight:
            refunded = locked.status == RefundStatus.REFUNDED
            order.status = OrderStatus.REFUNDED if refunded else OrderStatus.REFUND_FAILED
        save_order(order, "refunded_fen")
        record_event(
            order,
            PaymentEventType.REFUNDED
            if locked.status == RefundStatus.REFUNDED
            else PaymentEventType.REFUND_FAILED,
            from_status=previous,
            source=source,
            amount_fen=locked.amount_fen,
            data={"refund_no": locked.refund_no, **(data or {})},
        )
    return True
