"""What the gateway does: orders, payment, closing, refunds and their settlement, the simulation."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from yiwang_demo_paygate import notifications
from yiwang_demo_paygate.errors import GatewayError, bad_request, conflict, not_found
from yiwang_demo_paygate.models import Behaviour, Order, Refund
from yiwang_demo_paygate.validation import IDENT_RE, MAX_AMOUNT_FEN, SHANGHAI, Fields, iso

CHANNELS = ("pc", "h5", "qr")


def new_trade_no(now: datetime) -> str:
    """PG + 14 digits of local time + 6 random digits."""
    return f"PG{now.astimezone(SHANGHAI):%Y%m%d%H%M%S}{secrets.randbelow(10**6):06d}"


def order_answer(order: Order, base_url: str) -> dict[str, Any]:
    pay_url = f"{base_url.rstrip('/')}/pay/{order.gateway_trade_no}"
    return {
        "order_no": order.order_no,
        "gateway_trade_no": order.gateway_trade_no,
        "pay_url": pay_url,
        "qr_text": f"{pay_url}/h5?via=qr",
        "status": order.status,
        "amount_fen": order.amount_fen,
        "paid_at": iso(order.paid_at),
        "channel": order.channel or None,
        "expire_at": iso(order.expire_at),
    }


def refund_answer(refund: Refund) -> dict[str, Any]:
    return {
        "refund_no": refund.refund_no,
        "order_no": refund.order.order_no,
        "status": refund.status,
        "amount_fen": refund.amount_fen,
        "refunded_at": iso(refund.refunded_at),
    }


UNPAID = (Order.Status.PAYING, Order.Status.FAILED)


def _expire(order: Order, now: datetime) -> None:
    if order.status in UNPAID and order.expire_at <= now:
        order.status = Order.Status.CLOSED
        order.closed_at = now
        order.save(update_fields=["status", "closed_at"])


def expire_due_orders(now: datetime) -> int:
    """Orders not paid by their expiry time are closed (超时关闭)."""
    due = Order.objects.filter(status__in=UNPAID, expire_at__lte=now)
    return due.update(status=Order.Status.CLOSED, closed_at=now)


def create_order(data: Any) -> tuple[Order, bool]:
    fields = Fields(data)
    fields.merchant()
    order_no = fields.ident("order_no")
    amount = fields.amount()
    subject = fields.text("subject", 128)
    notify_url = fields.url("notify_url")
    return_url = fields.url("return_url")
    expire_at = fields.when("expire_at")
    fields.done()
    now = timezone.now()
    try:
        with transaction.atomic():
            existing = Order.objects.select_for_update().filter(order_no=order_no).first()
            if existing is not None:
                if existing.amount_fen != amount:
                    raise conflict("order_conflict", "同一订单号的金额不一致")
                _expire(existing, now)
                return existing, False
            if expire_at is None or expire_at <= now:
                raise bad_request({"expire_at": "须晚于当前时间"})
            order = Order.objects.create(
                order_no=order_no,
                gateway_trade_no=new_trade_no(now),
                merchant_id=settings.PAYGATE_MERCHANT_ID,
                amount_fen=amount,
                subject=subject,
                notify_url=notify_url,
                return_url=return_url,
                expire_at=expire_at,
            )
            return order, True
    except IntegrityError:  # the same order_no created concurrently: answer as for a repeat
        existing = Order.objects.filter(order_no=order_no).first()
        if existing is None:
            raise
        if existing.amount_fen != amount:
            raise conflict("order_conflict", "同一订单号的金额不一致") from None
        return existing, False


def find_order(order_no: str) -> Order:
    order = Order.objects.filter(order_no=order_no).first() if IDENT_RE.fullmatch(order_no) else None
    if order is None:
        raise not_found("order_not_found", "订单不存在")
    return order


def get_order(order_no: str) -> Order:
    order = find_order(order_no)
    if order.status in UNPAID and order.expire_at <= timezone.now():
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order.pk)
            _expire(order, timezone.now())
    return order


def close_order(order_no: str) -> Order:
    find_order(order_no)
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(order_no=order_no)
        if order.status == Order.Status.PAID:
            raise conflict("order_paid", "订单已支付，不能关闭")
        if order.status != Order.Status.CLOSED:
            order.status = Order.Status.CLOSED
            order.closed_at = now
            order.save(update_fields=["status", "closed_at"])
    return order


def pay(gateway_trade_no: str, success: bool, channel: str) -> Order:
    """The simulated payer pressed 支付成功 / 支付失败; a paid order stays paid (no new notification)."""
    if channel not in CHANNELS:
        raise bad_request({"channel": "须为 pc、h5 或 qr"})
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(gateway_trade_no=gateway_trade_no).first()
        if order is None:
            raise not_found("order_not_found", "订单不存在")
        _expire(order, now)
        if order.status == Order.Status.PAID:
            return order
        if order.status == Order.Status.CLOSED:
            raise conflict("order_closed", "订单已关闭，不能支付")
        order.status = Order.Status.PAID if success else Order.Status.FAILED
        order.channel = channel
        order.paid_at = now if success else None
        order.save(update_fields=["status", "channel", "paid_at"])
        notifications.enqueue(order, now)
    return order


def create_refund(data: Any) -> tuple[Refund, bool]:
    fields = Fields(data)
    fields.merchant()
    order_no = fields.ident("order_no")
    refund_no = fields.ident("refund_no")
    amount = fields.amount()
    reason = fields.text("reason", 200, required=False)
    notify_url = fields.url("notify_url")
    fields.done()
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(order_no=order_no).first()
        existing = Refund.objects.select_related("order").filter(refund_no=refund_no).first()
        if existing is not None:
            if existing.order.order_no != order_no or existing.amount_fen != amount:
                raise conflict("refund_conflict", "同一退款单号的订单或金额不一致")
            return existing, False
        if order is None:
            raise not_found("order_not_found", "订单不存在")
        _expire(order, now)
        if order.status == Order.Status.CLOSED:
            raise conflict("order_closed", "订单已关闭")
        if order.status != Order.Status.PAID:
            raise conflict("order_not_paid", "订单未支付，不能退款")
        taken = order.refunds.filter(status__in=[Refund.Status.REFUNDING, Refund.Status.REFUNDED]).aggregate(
            total=Sum("amount_fen")
        )["total"]
        if amount > order.amount_fen - (taken or 0):
            raise conflict("refund_exceeds", "退款金额超过可退金额")
        refund = Refund.objects.create(
            refund_no=refund_no,
            order=order,
            amount_fen=amount,
            reason=reason,
            notify_url=notify_url,
            settle_at=now + timedelta(seconds=settings.PAYGATE_REFUND_DELAY_S),
        )
        transaction.on_commit(notifications.WAKE.set)
    return refund, True


def get_refund(refund_no: str) -> Refund:
    refund = (
        Refund.objects.select_related("order").filter(refund_no=refund_no).first()
        if IDENT_RE.fullmatch(refund_no)
        else None
    )
    if refund is None:
        raise not_found("refund_not_found", "退款单不存在")
    return refund


def settle_due_refunds(now: datetime) -> int:
    """Refunds whose time has come end refunded (or failed, when the simulation says so)."""
    settled = 0
    for pk in Refund.objects.filter(status=Refund.Status.REFUNDING, settle_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            refund = Refund.objects.select_for_update().select_related("order").get(pk=pk)
            if refund.status != Refund.Status.REFUNDING:
                continue
            behaviour = Behaviour.objects.filter(order_no=refund.order.order_no).first()
            if behaviour is not None and behaviour.fail_refund:
                refund.status = Refund.Status.FAILED
            else:
                refund.status = Refund.Status.REFUNDED
                refund.refunded_at = now
            refund.save(update_fields=["status", "refunded_at"])
            notifications.enqueue(refund.order, now, refund=refund)
            settled += 1
    return settled


BEHAVIOUR_BOOLS = ("drop", "reorder", "fail_refund", "statement_omit", "statement_duplicate")


def set_behaviour(data: Any) -> Behaviour:
    """Test/demo control (模拟控制): how notifications, refunds and the statement misbehave for an order."""
    if not settings.PAYGATE_SIM_CONTROL:
        raise GatewayError(404, "sim_disabled", "模拟控制已关闭")
    fields = Fields(data)
    order_no = fields.ident("order_no")
    values: dict[str, Any] = {}
    if "delay_s" in data:
        delay = data["delay_s"]
        if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 3600:
            fields.errors["delay_s"] = "须为 0-3600 的秒数"
        else:
            values["delay_s"] = float(delay)
    if "duplicate" in data:
        copies = data["duplicate"]
        if isinstance(copies, bool) or not isinstance(copies, int) or not 0 <= copies <= 10:
            fields.errors["duplicate"] = "须为 0-10 的整数"
        else:
            values["duplicate"] = copies
    for name in BEHAVIOUR_BOOLS:
        if name in data:
            if not isinstance(data[name], bool):
                fields.errors[name] = "须为 true 或 false"
            else:
                values[name] = data[name]
    if "statement_amount_fen" in data:
        amount = data["statement_amount_fen"]
        if amount is not None and (
            isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_AMOUNT_FEN
        ):
            fields.errors["statement_amount_fen"] = "须为整数（分）或 null"
        else:
            values["statement_amount_fen"] = amount
    fields.done()
    with transaction.atomic():
        behaviour, _ = Behaviour.objects.update_or_create(order_no=order_no, defaults=values)
    return behaviour


def behaviour_answer(behaviour: Behaviour) -> dict[str, Any]:
    return {
        "order_no": behaviour.order_no,
        "delay_s": behaviour.delay_s,
        "duplicate": behaviour.duplicate,
        **{name: getattr(behaviour, name) for name in BEHAVIOUR_BOOLS},
        "statement_amount_fen": behaviour.statement_amount_fen,
    }
