"""缴款单 Payment orders: created with their fee lines and code, paid online or at the window,
closed when they expire (docs/payments.md "States")."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.catalog.models import ServiceItem
from yiwang.core.calendar import add_working_days
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.models import Organisation
from yiwang.payments import conf
from yiwang.payments.codes import make_code
from yiwang.payments.errors import PaymentErrorCode
from yiwang.payments.fees import Breakdown, compute_breakdown
from yiwang.payments.gateways.base import CreatePayment, GatewayError, GatewayRefused, PaymentGateway
from yiwang.payments.gateways.offline import OfflineGateway
from yiwang.payments.models import (
    OPEN_STATUSES,
    PAID_STATUSES,
    ExceptionKind,
    FeeRule,
    OrderStatus,
    PayChannel,
    PaymentCodeSequence,
    PaymentEventType,
    PaymentException,
    PaymentOrder,
)
from yiwang.payments.services.common import (
    WINDOW_ROLES,
    fiscal_gateway,
    locked_order,
    record_event,
    require_staff_of,
    save_order,
)
from yiwang.payments.signals import order_paid

logger = logging.getLogger("yiwang.payments")
ONLINE_CHANNELS = {PayChannel.PC, PayChannel.H5, PayChannel.QR}
WINDOW_CHANNELS = {PayChannel.WINDOW_CASH, PayChannel.WINDOW_POS}


# --- fees ------------------------------------------------------------------------------------------
def rules_for_item(item: ServiceItem) -> list[FeeRule]:
    return list(
        FeeRule.objects.filter(fee_item__item=item, active=True)
        .select_related("fee_item")
        .prefetch_related("exemptions")
        .order_by("fee_item__order", "fee_item__pk")
    )


def item_has_fees(item: ServiceItem) -> bool:
    return bool(item.fee_required) and FeeRule.objects.filter(fee_item__item=item, active=True).exists()


def breakdown_for(item: ServiceItem, form_data: dict[str, Any] | None, applicant_type: str) -> Breakdown:
    return compute_breakdown([rule.spec() for rule in rules_for_item(item)], form_data, applicant_type)


# --- creation --------------------------------------------------------------------------------------
def next_code(organisation: Organisation, year: int) -> str:
    """The next payment code of the department's region for the year (row locked until commit)."""
    region = getattr(organisation, "region", None)
    region_code = (getattr(region, "full_code", "") or "000000")[:6].ljust(6, "0")
    sequence, _ = PaymentCodeSequence.objects.get_or_create(region_code=region_code, year=year)
    sequence = PaymentCodeSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return make_code(region_code, year, sequence.last)


def expiry(today: Any) -> tuple[Any, datetime]:
    due = add_working_days(today, conf.due_days())
    end = timezone.make_aware(datetime.combine(due + timedelta(days=1), time.min))
    return due, end


def open_order_for(subject_type: str, subject_id: str) -> PaymentOrder | None:
    return (
        PaymentOrder.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .exclude(status=OrderStatus.CLOSED)
        .order_by("-created_at", "-pk")
        .first()
    )


def create_order(
    *,
    subject_type: str,
    subject_id: str,
    reference: str,
    title: str,
    organisation: Organisation,
    payer: User,
    payer_name: str,
    item: ServiceItem,
    form_data: dict[str, Any] | None,
    applicant_type: str,
    actor: User | None,
    context: dict[str, Any] | None = None,
) -> PaymentOrder | None:
    """The order for what a subject owes under the item's fee rules; ``None`` when nothing is due
    (no rule, or every line exempt).  An order not closed for the same subject is returned as is."""
    existing = open_order_for(subject_type, subject_id)
    if existing is not None:
        return existing
    breakdown = breakdown_for(item, form_data, applicant_type)
    if breakdown.total_fen <= 0:
        return None
    return open_order(
        subject_type=subject_type,
        subject_id=subject_id,
        reference=reference,
        title=title,
        organisation=organisation,
        payer_id=payer.pk,
        payer_name=payer_name,
        lines=[line.as_dict() for line in breakdown.lines],
        actor=actor,
        context=context,
        event_data={"gross_fen": breakdown.gross_fen, "lines": len(breakdown.lines)},
    )


def open_order(
    *,
    subject_type: str,
    subject_id: str,
    reference: str,
    title: str,
    organisation: Organisation,
    payer_id: int,
    payer_name: str,
    lines: list[dict[str, Any]],
    actor: User | None = None,
    context: dict[str, Any] | None = None,
    event_data: dict[str, Any] | None = None,
) -> PaymentOrder:
    """开单 An order for the given lines (each with ``net_fen``, a positive integer total): what
    ``create_order`` uses for fee rules and other apps for what they charge (postage).  An order not
    closed for the same subject is returned as is."""
    existing = open_order_for(subject_type, subject_id)
    if existing is not None:
        return existing
    amount = sum(int(line["net_fen"]) for line in lines)
    if amount <= 0 or any(int(line["net_fen"]) < 0 for line in lines):
        raise DomainError(PaymentErrorCode.INVALID_AMOUNT, "缴款金额须为正数", {"lines": ["金额须为正数"]})
    with transaction.atomic():
        due, expires = expiry(timezone.localdate())
        order = PaymentOrder.objects.create(
            code=next_code(organisation, timezone.localdate().year),
            subject_type=subject_type,
            subject_id=subject_id,
            reference=reference[:64],
            subject_title=title[:200],
            organisation=organisation,
            payer_id=payer_id,
            payer_name=payer_name[:200],
            lines=lines,
            amount_fen=amount,
            due_date=due,
            expires_at=expires,
            context=context or {},
        )
        record_event(
            order,
            PaymentEventType.CREATED,
            from_status="",
            actor=actor,
            source="system",
            amount_fen=order.amount_fen,
            data=event_data or {},
        )
    return order


def renew_order(order: PaymentOrder, *, actor: User) -> PaymentOrder:
    """重新生成缴款单 A closed (expired) order is replaced by a new one with the same lines."""
    if actor.pk != order.payer_id:
        require_staff_of(actor, order, WINDOW_ROLES, "renew")
    with transaction.atomic():
        locked = locked_order(order)
        if locked.status != OrderStatus.CLOSED:
            raise Conflict("只有已关闭的缴款单可以重新生成", code=PaymentErrorCode.INVALID_TRANSITION)
        current = open_order_for(locked.subject_type, locked.subject_id)
        if current is not None:
            return current
        due, expires = expiry(timezone.localdate())
        renewed = PaymentOrder.objects.create(
            code=next_code(locked.organisation, timezone.localdate().year),
            subject_type=locked.subject_type,
            subject_id=locked.subject_id,
            reference=locked.reference,
            subject_title=locked.subject_title,
            organisation_id=locked.organisation_id,
            payer_id=locked.payer_id,
            payer_name=locked.payer_name,
            lines=locked.lines,
            amount_fen=locked.amount_fen,
            due_date=due,
            expires_at=expires,
            context={**locked.context, "renews": str(locked.public_id)},
        )
        record_event(
            renewed,
            PaymentEventType.CREATED,
            from_status="",
            actor=actor,
            source="web",
            amount_fen=renewed.amount_fen,
            data={"renews": locked.code},
        )
    return renewed


# --- paying online ---------------------------------------------------------------------------------
def start_online_payment(
    order: PaymentOrder, *, user: User, channel: str = PayChannel.PC, gateway: PaymentGateway | None = None
) -> PaymentOrder:
    """发起支付 The payer opens the gateway's cashier: the gateway order is created (idempotent by the
    payment code) and the order is ``paying`` with its pay URL."""
    if user.pk != order.payer_id:
        raise DomainError(PaymentErrorCode.NOT_FOUND, "缴款单不存在", status=404)
    if channel not in ONLINE_CHANNELS:
        raise DomainError(PaymentErrorCode.INVALID_TRANSITION, "支付渠道不正确", {"channel": [channel[:10]]})
    if order.status not in OPEN_STATUSES:
        raise Conflict(
            f"缴款单当前状态为“{order.get_status_display()}”，不能支付",
            code=PaymentErrorCode.INVALID_TRANSITION,
        )
    if order.expires_at <= timezone.now():
        raise Conflict("缴款单已过缴费期限", code=PaymentErrorCode.INVALID_TRANSITION)
    if order.status == OrderStatus.PAYING and order.pay_url:
        return order
    gateway = gateway or fiscal_gateway()
    base = conf.public_url()
    try:
        started = gateway.create_payment(
            CreatePayment(
                order_no=order.code,
                amount_fen=order.amount_fen,
                subject=order.subject_title[:100],
                notify_url=base + reverse("api:payments_notify_fiscal"),
                return_url=base + reverse("payments:pay", kwargs={"case_id": order.subject_id}),
                expire_at=order.expires_at,
            )
        )
    except GatewayRefused as exc:
        raise Conflict(
            "支付平台拒绝了该缴款单", code=PaymentErrorCode.GATEWAY_REFUSED, fields={"gateway": [exc.code]}
        ) from exc
    except GatewayError as exc:
        logger.warning("fiscal gateway create_payment failed for %s: %s", order.code, exc)
        raise DomainError(
            PaymentErrorCode.GATEWAY_UNAVAILABLE, "支付平台暂时无法访问，请稍后再试", status=503
        ) from exc
    with transaction.atomic():
        locked = locked_order(order)
        if locked.status not in OPEN_STATUSES:
            return locked
        previous = locked.status
        locked.status = OrderStatus.PAYING
        locked.gateway = gateway.name
        locked.gateway_trade_no = started.gateway_trade_no[:64]
        locked.pay_url = started.pay_url[:500]
        locked.qr_text = started.qr_text[:500]
        locked.channel = channel
        locked.paying_since = timezone.now()
        save_order(locked, "gateway", "gateway_trade_no", "pay_url", "qr_text", "channel", "paying_since")
        record_event(
            locked,
            PaymentEventType.PAYING,
            from_status=previous,
            actor=user,
            source="web",
            amount_fen=locked.amount_fen,
            data={"gateway_trade_no": locked.gateway_trade_no, "channel": channel},
        )
    return locked


# --- paid ------------------------------------------------------------------------------------------
def apply_paid(
    order: PaymentOrder | int,
    *,
    amount_fen: int,
    source: str,
    locked: bool = False,
    channel: str = "",
    gateway_trade_no: str = "",
    paid_at: datetime | None = None,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
) -> tuple[PaymentOrder, bool]:
    """Money has arrived for the order (call inside a transaction that may hold nothing else locked).

    Returns the order and whether this changed it.  Already paid: nothing changes (a duplicate).
    Closed: the money is real, so the order becomes paid and a ``paid_after_close`` exception is
    raised for finance; another paid order for the same subject: a ``duplicate_payment`` exception
    (finance refunds one of them).  The amount must be the order's (checked by the callers).
    ``locked``: ``order`` is a row the caller has just locked (``select_for_update``) itself."""
    row = order if locked and isinstance(order, PaymentOrder) else locked_order(order)
    if row.status in PAID_STATUSES:
        return row, False
    if hasattr(row, "other_paid_code"):  # read with the lock (services.common.locked_order_by_code)
        other_code = row.other_paid_code
    else:
        other_paid = (
            PaymentOrder.objects.filter(
                subject_type=row.subject_type, subject_id=row.subject_id, status__in=PAID_STATUSES
            )
            .exclude(pk=row.pk)
            .values_list("code", flat=True)[:1]
        )
        other_code = next(iter(other_paid), None)
    previous = row.status
    row.status = OrderStatus.PAID
    row.paid_fen = amount_fen
    row.paid_at = paid_at or timezone.now()
    if channel in PayChannel.values:
        row.channel = channel
    if gateway_trade_no:
        row.gateway_trade_no = gateway_trade_no[:64]
    save_order(row, "paid_fen", "paid_at", "channel", "gateway_trade_no")
    record_event(
        row,
        PaymentEventType.PAID,
        from_status=previous,
        actor=actor,
        source=source,
        amount_fen=amount_fen,
        data=data,
    )
    if previous == OrderStatus.CLOSED:
        raise_exception(row, ExceptionKind.PAID_AFTER_CLOSE, amount_fen, {"source": source})
    if other_code:
        raise_exception(row, ExceptionKind.DUPLICATE_PAYMENT, amount_fen, {"other_order": other_code})
    order_paid.send(sender=PaymentOrder, order=row)
    return row, True


def raise_exception(
    order: PaymentOrder, kind: str, amount_fen: int, detail: dict[str, Any]
) -> PaymentException:
    """对账异常 for finance: recorded on the order as an event, audited, listed in the finance view."""
    exception = PaymentException.objects.create(order=order, kind=kind, amount_fen=amount_fen, detail=detail)
    record_event(
        order,
        PaymentEventType.EXCEPTION,
        from_status=order.status,
        source="system",
        amount_fen=amount_fen,
        data={"kind": kind, **detail},
    )
    return exception


def record_offline_payment(
    order: PaymentOrder,
    *,
    actor: User,
    receipt_no: str,
    channel: str = PayChannel.WINDOW_CASH,
    gateway: PaymentGateway | None = None,
) -> PaymentOrder:
    """窗口缴费 A window clerk (or finance officer) of the department records cash or POS payment with
    the receipt number.  An order being paid online is closed at the gateway first; if the gateway
    says it is paid already, that payment is applied and the window payment refused."""
    require_staff_of(actor, order, WINDOW_ROLES, "offline")
    receipt_no = (receipt_no or "").strip()
    if not receipt_no or len(receipt_no) > 40:
        raise DomainError(
            PaymentErrorCode.RECEIPT_REQUIRED, "请填写收款票据号", {"receipt_no": ["必填，不超过40字"]}
        )
    if channel not in WINDOW_CHANNELS:
        raise DomainError(PaymentErrorCode.INVALID_TRANSITION, "收款方式不正确", {"channel": [channel[:10]]})
    if order.status not in OPEN_STATUSES:
        raise Conflict(
            f"缴款单当前状态为“{order.get_status_display()}”，不能收款",
            code=PaymentErrorCode.INVALID_TRANSITION,
        )
    if order.status == OrderStatus.PAYING:
        close_at_gateway(order, gateway)
    window = OfflineGateway(receipt_no, channel)
    status = window.paid_now(order.code, order.amount_fen)
    with transaction.atomic():
        locked = locked_order(order)
        if locked.status not in OPEN_STATUSES:
            raise Conflict("缴款单已不在待缴费状态", code=PaymentErrorCode.INVALID_TRANSITION)
        locked.receipt_no = receipt_no
        locked.gateway = window.name
        locked.save(update_fields=["receipt_no", "gateway", "updated_at"])
        locked, _ = apply_paid(
            locked,
            amount_fen=locked.amount_fen,
            source="window",
            channel=channel,
            gateway_trade_no=status.gateway_trade_no,
            paid_at=status.paid_at,
            actor=actor,
            data={"receipt_no": receipt_no},
        )
    return locked


def close_at_gateway(order: PaymentOrder, gateway: PaymentGateway | None = None) -> None:
    """Close the gateway's order; when it was paid meanwhile apply the payment and refuse (409)."""
    gateway = gateway or fiscal_gateway()
    try:
        gateway.close(order.code)
    except GatewayRefused as exc:
        if exc.status == 404:
            return  # the gateway never saw it
        status = gateway.query(order.code)
        if status.status == "paid" and status.amount_fen == order.amount_fen:
            with transaction.atomic():
                apply_paid(
                    order,
                    amount_fen=status.amount_fen,
                    source="query",
                    channel=status.channel,
                    gateway_trade_no=status.gateway_trade_no,
                    paid_at=status.paid_at,
                )
            raise Conflict("该缴款单已在网上支付", code=PaymentErrorCode.INVALID_TRANSITION) from exc
        raise Conflict("支付平台拒绝关闭该缴款单", code=PaymentErrorCode.GATEWAY_REFUSED) from exc
    except GatewayError as exc:
        raise DomainError(
            PaymentErrorCode.GATEWAY_UNAVAILABLE, "支付平台暂时无法访问，请稍后再试", status=503
        ) from exc


# --- closing ---------------------------------------------------------------------------------------
def close_order(
    order: PaymentOrder, *, reason: str, source: str = "job", actor: User | None = None
) -> PaymentOrder:
    with transaction.atomic():
        locked = locked_order(order)
        if locked.status not in OPEN_STATUSES:
            return locked
        previous = locked.status
        locked.status = OrderStatus.CLOSED
        locked.closed_at = timezone.now()
        save_order(locked, "closed_at")
        record_event(
            locked,
            PaymentEventType.CLOSED,
            from_status=previous,
            actor=actor,
            source=source,
            data={"reason": reason},
        )
    return locked


def close_expired_orders(now: datetime | None = None, gateway: PaymentGateway | None = None) -> int:
    """关闭超时缴款单 (job ``close_expired_payment_orders``): past their expiry, closed here and at
    the gateway; an order the gateway reports paid is applied instead; a gateway that cannot be
    reached leaves the order for the next run."""
    now = now or timezone.now()
    closed = 0
    for order in PaymentOrder.objects.filter(status__in=OPEN_STATUSES, expires_at__lte=now).order_by("pk")[
        :1000
    ]:
        if order.status == OrderStatus.PAYING:
            try:
                close_at_gateway(order, gateway)
            except DomainError as exc:
                logger.info("order %s not closed: %s", order.code, exc.code)
                continue
        if close_order(order, reason="expired").status == OrderStatus.CLOSED:
            closed += 1
    return closed
