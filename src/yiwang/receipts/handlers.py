"""Where receipts hears of money (connected in :meth:`ReceiptsConfig.ready`).

- ``payments.signals.order_paid`` (sent inside the transaction that marks an order paid): the
  receipt's task is written in that transaction (``core.outbox``: nothing on a rollback).
- a ``payments.Refund`` saved as ``refunded`` (``post_save``: payments sends no signal for refunds):
  the red-letter receipt is enqueued on commit.

The tasks are idempotent, so a repeated signal or save never issues twice.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from yiwang.core.outbox import enqueue_with_transaction
from yiwang.payments.models import PaymentOrder, Refund, RefundStatus
from yiwang.payments.signals import order_paid
from yiwang.receipts.tasks import issue_receipt_task, issue_red_letter_task


def on_order_paid(sender: Any, *, order: PaymentOrder, **kwargs: Any) -> None:
    enqueue_with_transaction(issue_receipt_task, order.pk)


def on_refund_saved(sender: Any, *, instance: Refund, **kwargs: Any) -> None:
    if instance.status != RefundStatus.REFUNDED:
        return
    refund_id = instance.pk
    transaction.on_commit(lambda: issue_red_letter_task.enqueue(refund_id))


def connect() -> None:
    order_paid.connect(on_order_paid, dispatch_uid="receipts.issue_on_order_paid")
    post_save.connect(on_refund_saved, sender=Refund, dispatch_uid="receipts.red_letter_on_refund")
