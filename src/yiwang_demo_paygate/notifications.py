"""Notifications to the merchant (异步通知), shaped by the simulation: late, twice, out of order, never.

Rows are written in the same transaction as the state change; the dispatcher thread
(``dispatcher.py``) sends what is due and retries on the schedule.
"""

from __future__ import annotations

import random
import threading
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from yiwang_demo_paygate.models import Behaviour, Notification, Order, Refund
from yiwang_demo_paygate.signing import canonical_json
from yiwang_demo_paygate.validation import iso

WAKE = threading.Event()  # set when something became due now
DUPLICATE_SPACING_S = 0.1
REORDER_AFTER_S = 0.3  # a released notification goes this long after the later one that overtook it


def payment_body(order: Order, notification_id: uuid.UUID) -> dict[str, object]:
    return {
        "notification_id": str(notification_id),
        "type": "payment",
        "order_no": order.order_no,
        "gateway_trade_no": order.gateway_trade_no,
        "status": "paid" if order.status == Order.Status.PAID else "failed",
        "amount_fen": order.amount_fen,
        "paid_at": iso(order.paid_at) if order.status == Order.Status.PAID else None,
        "channel": order.channel,
    }


def refund_body(refund: Refund, notification_id: uuid.UUID) -> dict[str, object]:
    order = refund.order
    return {
        "notification_id": str(notification_id),
        "type": "refund",
        "order_no": order.order_no,
        "gateway_trade_no": order.gateway_trade_no,
        "refund_no": refund.refund_no,
        "status": "refunded" if refund.status == Refund.Status.REFUNDED else "refund_failed",
        "amount_fen": refund.amount_fen,
        "channel": order.channel,
    }


def enqueue(order: Order, now: datetime, refund: Refund | None = None) -> list[Notification]:
    """The notification of the order's (or refund's) new state, plus its simulated copies."""
    behaviour = Behaviour.objects.filter(order_no=order.order_no).first() or Behaviour(
        order_no=order.order_no
    )
    notification_id = uuid.uuid4()
    body = refund_body(refund, notification_id) if refund else payment_body(order, notification_id)
    drop = behaviour.drop or random.random() < settings.PAYGATE_SIM_DROP_RATE  # noqa: S311 (simulation)
    copies = behaviour.duplicate + (1 if random.random() < settings.PAYGATE_SIM_DUP_RATE else 0)  # noqa: S311
    delay = behaviour.delay_s or random.uniform(0, settings.PAYGATE_SIM_DELAY_MAX_S)  # noqa: S311
    first = now + timedelta(seconds=delay)
    held = False
    if behaviour.reorder and not drop:
        earlier = Notification.objects.filter(order=order, state=Notification.State.PENDING, held=True)
        if earlier.exists():  # this one overtakes the held ones, which follow right after it
            earlier.update(held=False, next_attempt_at=first + timedelta(seconds=REORDER_AFTER_S))
        else:
            held = True
            first += timedelta(seconds=settings.PAYGATE_SIM_REORDER_HOLD_S)
    rows = [
        Notification(
            notification_id=notification_id,
            order=order,
            refund=refund,
            kind=str(body["type"]),
            status=str(body["status"]),
            body=canonical_json(body).decode(),
            notify_url=refund.notify_url if refund else order.notify_url,
            state=Notification.State.DROPPED if drop else Notification.State.PENDING,
            duplicate=copy > 0,
            held=held,
            next_attempt_at=None if drop else first + timedelta(seconds=DUPLICATE_SPACING_S * copy),
        )
        for copy in range(1 + (0 if drop else copies))
    ]
    created = Notification.objects.bulk_create(rows)
    transaction.on_commit(WAKE.set)
    return created


def retry_delay(attempts: int) -> float | None:
    """Seconds until the next attempt after `attempts` failed ones; None when the schedule is spent."""
    schedule = settings.PAYGATE_RETRY_SCHEDULE
    return schedule[attempts - 1] if 1 <= attempts <= len(schedule) else None
