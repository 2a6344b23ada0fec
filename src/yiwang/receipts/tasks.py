"""Tasks of receipts: issuing after the payment or refund is committed (django-tasks)."""

from __future__ import annotations

import logging

from django_tasks import task

from yiwang.core.errors import Conflict
from yiwang.receipts import services

logger = logging.getLogger("yiwang.receipts")


@task()
def issue_receipt_task(order_id: int) -> None:
    """开具财政电子票据 for a paid order (idempotent).  Without a seal it is left for
    ``receipts_issue_missing``."""
    try:
        services.issue_receipt(order_id)
    except Conflict as exc:
        logger.warning("receipt of order %s not issued: %s", order_id, exc.code)


@task()
def issue_red_letter_task(refund_id: int) -> None:
    """开具红字票据 for a finished refund (idempotent)."""
    try:
        services.issue_red_letter(refund_id)
    except Conflict as exc:
        logger.warning("red-letter receipt of refund %s not issued: %s", refund_id, exc.code)


@task()
def issue_missing_receipts() -> dict[str, int]:
    """补开: receipts missing for paid orders and finished refunds (enqueue it from cron)."""
    return services.issue_missing()
