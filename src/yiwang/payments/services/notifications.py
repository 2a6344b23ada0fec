"""Gateway notifications (异步通知) and the query of orders whose notification is missing.

A notification is verified (SM2 signature, timestamp within 300 s, nonce not seen in 600 s), then
recorded once by its ``notification_id``: a duplicate gets the first answer again.  Disorder is
expected: "paid" twice, "failed" after "paid" (recorded, ignored), "paid" after the order was
closed (applied, with a ``paid_after_close`` exception for finance), a notification for an order
we never issued (404, audited), an amount that is not the order's (refused 409, audited, exception).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.payments import conf
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.gateways import signing
from yiwang.payments.gateways.base import GatewayError, Notification, PaymentGateway, SignatureRefused
from yiwang.payments.models import (
    ExceptionKind,
    GatewayNonce,
    GatewayNotification,
    NotificationOutcome,
    OrderStatus,
    PaymentEventType,
    PaymentOrder,
    Refund,
    RefundStatus,
)
from yiwang.payments.services.common import (
    fiscal_gateway,
    locked_order,
    locked_order_by_code,
    record_event,
    save_order,
)
from yiwang.payments.services.orders import apply_paid, raise_exception
from yiwang.payments.services.refunds import apply_refund_result, send_refund

logger = logging.getLogger("yiwang.payments")


@dataclass(frozen=True)
class Answer:
    """What the notify endpoint answers: 200 ``{"result": "ok"}`` or an error with its code."""

    status: int
    code: str = ""
    message: str = ""

    def body(self) -> dict[str, Any]:
        if self.status == 200:
            return {"result": "ok"}
        return {"code": self.code, "message": self.message, "fields": {}}


OK = Answer(200)


def forget_old_nonces() -> int:
    cutoff = timezone.now() - timedelta(seconds=signing.NONCE_TTL_S * 2)
    deleted, _ = GatewayNonce.objects.filter(seen_at__lt=cutoff).delete()
    return deleted


class _Replayed(Exception):
    """The notification's nonce was seen before (raised inside the transaction to undo it)."""


def receive_notification(
    headers: dict[str, str], body: bytes, gateway: PaymentGateway | None = None
) -> Answer:
    gateway = gateway or fiscal_gateway()
    try:
        notification, nonce = gateway.verify_notification(headers, body)
    except SignatureRefused:
        audit.record("payments.notification_refused", detail={"reason": "bad_signature", "size": len(body)})
        return Answer(401, PaymentErrorCode.BAD_SIGNATURE, "签名验证失败")
    except GatewayError:
        audit.record("payments.notification_refused", detail={"reason": "malformed", "size": len(body)})
        return Answer(400, PaymentErrorCode.BAD_SIGNATURE, "通知格式不正确")
    try:
        return handle_notification(notification, nonce=nonce)
    except _Replayed:
        audit.record(
            "payments.notification_refused",
            detail={"reason": "replayed_nonce", "id": notification.notification_id},
        )
        return Answer(401, PaymentErrorCode.BAD_SIGNATURE, "重复的请求")


def _stored_answer(stored: GatewayNotification) -> Answer:
    if stored.outcome == NotificationOutcome.REFUSED:
        status = 404 if stored.outcome_code == PaymentErrorCode.NOT_FOUND else 409
        return Answer(status, stored.outcome_code, "通知已拒绝")
    return OK


def _store(
    notification: Notification, order: PaymentOrder | None, outcome: str, code: str = "", nonce: str = ""
) -> None:
    GatewayNotification.objects.create(
        nonce=nonce[:64],
        notification_id=notification.notification_id,
        order=order,
        kind=notification.type,
        status=notification.status,
        amount_fen=notification.amount_fen,
        body=dict(notification.body),
        outcome=outcome,
        outcome_code=code,
        received_at=timezone.now(),
    )


def _remember_nonce(nonce: str) -> bool:
    """False when the nonce was seen within the last 600 s (a replay): one autocommitted insert, or
    one in a savepoint when the caller holds a transaction (a failed insert must not break it)."""
    try:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                GatewayNonce.objects.create(nonce=nonce, seen_at=timezone.now())
        else:
            GatewayNonce.objects.create(nonce=nonce, seen_at=timezone.now())
    except IntegrityError:
        return False
    return True


def _stored(notification: Notification) -> GatewayNotification | None:
    return next(
        iter(GatewayNotification.objects.filter(notification_id=notification.notification_id)[:1]), None
    )


def handle_notification(notification: Notification, *, nonce: str | None = None) -> Answer:
    """Apply a verified notification once.

    A duplicate (the id is stored) gets the first answer again: one read and the nonce, no
    transaction; the very request that was applied, replayed, is refused by the nonce stored with
    it.  A new one is applied in one transaction that locks the order row (reading in the same
    statement whether another order of the subject is paid) and stores the notification with its
    nonce last; two deliveries of one new notification racing each other are serialised by the
    order lock, and the second one's store hits the unique id, rolls back whatever it did and
    answers what the first stored."""
    stored = _stored(notification)
    if stored is not None:
        if nonce is not None and (stored.nonce == nonce or not _remember_nonce(nonce)):
            raise _Replayed
        return _stored_answer(stored)
    try:
        return _apply_new(notification, nonce or "")
    except IntegrityError:
        stored = _stored(notification)
        if stored is None:
            raise
        return _stored_answer(stored)


def _apply_new(notification: Notification, nonce: str) -> Answer:
    with transaction.atomic():
        order = locked_order_by_code(notification.order_no)
        if order is None:
            _store(notification, None, NotificationOutcome.REFUSED, PaymentErrorCode.NOT_FOUND, nonce)
            audit.record(
                "payments.notification_unknown_order",
                object_type="payments.PaymentOrder",
                object_id=notification.order_no,
                detail={"notification_id": notification.notification_id, "type": notification.type},
            )
            logger.warning(
                "notification %s for unknown order %s", notification.notification_id, notification.order_no
            )
            return Answer(404, PaymentErrorCode.NOT_FOUND, "缴款单不存在")
        if notification.type == "refund":
            outcome, code = _refund_notification(order, notification)
        else:
            outcome, code = _payment_notification(order, notification)
        _store(notification, order, outcome, code, nonce)
    if outcome == NotificationOutcome.REFUSED:
        return Answer(404 if code == PaymentErrorCode.NOT_FOUND else 409, code, "通知已拒绝")
    return OK


def _ignored(order: PaymentOrder, notification: Notification, why: str) -> tuple[str, str]:
    record_event(
        order,
        PaymentEventType.NOTIFICATION_IGNORED,
        from_status=order.status,
        source="gateway",
        amount_fen=notification.amount_fen,
        data={"notification_id": notification.notification_id, "status": notification.status, "why": why},
    )
    return NotificationOutcome.IGNORED, why


def _payment_notification(order: PaymentOrder, notification: Notification) -> tuple[str, str]:
    if notification.status == "paid":
        if notification.amount_fen != order.amount_fen:
            raise_exception(
                order,
                ExceptionKind.AMOUNT_MISMATCH,
                notification.amount_fen,
                {"expected_fen": order.amount_fen, "notification_id": notification.notification_id},
            )
            return NotificationOutcome.REFUSED, PaymentErrorCode.AMOUNT_MISMATCH
        _, changed = apply_paid(
            order,
            locked=True,
            amount_fen=notification.amount_fen,
            source="gateway",
            channel=notification.channel,
            gateway_trade_no=notification.gateway_trade_no,
            paid_at=notification.paid_at,
            data={"notification_id": notification.notification_id},
        )
        return (NotificationOutcome.APPLIED, "") if changed else _ignored(order, notification, "already_paid")
    if notification.status == "failed":
        if order.status != OrderStatus.PAYING:
            return _ignored(order, notification, "not_paying")
        order.status = OrderStatus.CREATED  # the payer may try again
        save_order(order)
        record_event(
            order,
            PaymentEventType.PAY_FAILED,
            from_status=OrderStatus.PAYING,
            source="gateway",
            amount_fen=notification.amount_fen,
            data={"notification_id": notification.notification_id},
        )
        return NotificationOutcome.APPLIED, ""
    return _ignored(order, notification, "unknown_status")


def _refund_notification(order: PaymentOrder, notification: Notification) -> tuple[str, str]:
    refund = Refund.objects.filter(order=order, refund_no=notification.refund_no).first()
    if refund is None:
        audit.record(
            "payments.notification_unknown_refund",
            obj=order,
            detail={"refund_no": notification.refund_no, "notification_id": notification.notification_id},
        )
        return NotificationOutcome.REFUSED, PaymentErrorCode.NOT_FOUND
    if notification.amount_fen != refund.amount_fen:
        raise_exception(
            order,
            ExceptionKind.AMOUNT_MISMATCH,
            notification.amount_fen,
            {"refund_no": refund.refund_no, "expected_fen": refund.amount_fen},
        )
        return NotificationOutcome.REFUSED, PaymentErrorCode.AMOUNT_MISMATCH
    status = {"refunded": RefundStatus.REFUNDED, "refund_failed": RefundStatus.FAILED}.get(
        notification.status
    )
    if status is None:
        return _ignored(order, notification, "unknown_status")
    changed = apply_refund_result(
        refund, status, source="gateway", data={"notification_id": notification.notification_id}
    )
    return (NotificationOutcome.APPLIED, "") if changed else _ignored(order, notification, "already_final")


# --- the query job ---------------------------------------------------------------------------------
def query_pending_payments(gateway: PaymentGateway | None = None, limit: int = 500) -> dict[str, int]:
    """查询未通知订单 (job ``query_pending_payments``): orders paying for more than N minutes
    (YIWANG_PAYMENT_QUERY_AFTER_MINUTES) with no notification, and refunds still in flight, are
    asked of the gateway; what it says is applied as a notification would be."""
    gateway = gateway or fiscal_gateway()
    now = timezone.now()
    cutoff = now - timedelta(minutes=conf.query_after_minutes())
    report = {"queried": 0, "paid": 0, "failed": 0, "refunds": 0, "errors": 0}
    pending = (
        PaymentOrder.objects.filter(status=OrderStatus.PAYING, paying_since__lte=cutoff)
        .exclude(gateway="offline")
        .exclude(last_queried_at__gt=cutoff)
        .order_by("paying_since")[:limit]
    )
    for order in pending:
        PaymentOrder.objects.filter(pk=order.pk).update(last_queried_at=now)
        report["queried"] += 1
        try:
            status = gateway.query(order.code)
        except GatewayError as exc:
            logger.info("query of %s failed: %s", order.code, exc)
            report["errors"] += 1
            continue
        if status.status == "paid":
            if status.amount_fen != order.amount_fen:
                with transaction.atomic():
                    raise_exception(
                        locked_order(order),
                        ExceptionKind.AMOUNT_MISMATCH,
                        status.amount_fen,
                        {"source": "query"},
                    )
                continue
            with transaction.atomic():
                _, changed = apply_paid(
                    order,
                    amount_fen=status.amount_fen,
                    source="query",
                    channel=status.channel,
                    gateway_trade_no=status.gateway_trade_no,
                    paid_at=status.paid_at,
                )
            report["paid"] += int(changed)
        elif status.status in ("failed", "closed"):
            with transaction.atomic():
                locked = locked_order(order)
                if locked.status == OrderStatus.PAYING:
                    locked.status = OrderStatus.CREATED
                    save_order(locked)
                    record_event(
                        locked,
                        PaymentEventType.PAY_FAILED,
                        from_status=OrderStatus.PAYING,
                        source="query",
                        data={"gateway_status": status.status},
                    )
                    report["failed"] += 1
    for refund in Refund.objects.filter(status=RefundStatus.REFUNDING, updated_at__lte=cutoff).select_related(
        "order"
    )[:limit]:
        report["refunds"] += 1
        if refund.order.gateway == "offline":
            continue
        try:
            info = gateway.query_refund(refund.refund_no)
        except GatewayError as exc:
            if getattr(exc, "status", 0) == 404:
                send_refund(refund, gateway)  # never arrived: send again (idempotent by refund number)
            else:
                Refund.objects.filter(pk=refund.pk).update(updated_at=now)
            continue
        if info.status in (RefundStatus.REFUNDED, RefundStatus.FAILED):
            apply_refund_result(refund, info.status, source="query")
        else:
            Refund.objects.filter(pk=refund.pk).update(updated_at=now)
    forget_old_nonces()
    return report
