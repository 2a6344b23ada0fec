"""What a user may do with a payment order now (pages, API and templates ask here; the services
still enforce every rule)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yiwang.accounts.roles import in_scope
from yiwang.payments.models import (
    OPEN_STATUSES,
    CorrectionStatus,
    OrderStatus,
    PaymentOrder,
    ReconciliationCorrection,
    ReconciliationItem,
    Resolution,
)
from yiwang.payments.services.common import FINANCE_ROLE, WINDOW_ROLES
from yiwang.payments.services.corrections import fitting_actions, may_handle
from yiwang.payments.services.refunds import REFUNDABLE_STATUSES


def allowed_actions(user: Any, order: PaymentOrder) -> frozenset[str]:
    """``pay`` (the payer, online), ``renew`` (the payer or the department's window staff: a closed
    order replaced), ``offline``
    (window clerk or finance of the department: record cash / POS), ``refund`` (finance)."""
    actions: set[str] = set()
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    is_open = order.status in OPEN_STATUSES and order.expires_at > timezone.now()
    if user.pk == order.payer_id:
        if is_open:
            actions.add("pay")
        if order.status == OrderStatus.CLOSED:
            actions.add("renew")
        return frozenset(actions)
    if in_scope(user, order.organisation_id, WINDOW_ROLES):
        if is_open:
            actions.add("offline")
        if order.status == OrderStatus.CLOSED:
            actions.add("renew")
    if (
        order.status in REFUNDABLE_STATUSES
        and order.paid_fen - order.refunded_fen > 0
        and in_scope(user, order.organisation_id, (FINANCE_ROLE,))
    ):
        actions.add("refund")
    return frozenset(actions)


def item_actions(user: Any, item: ReconciliationItem) -> frozenset[str]:
    """对账差错: the corrections the user may propose for an item (finance of its department, while
    the item is open): ``mark_paid``, ``refund``, ``write_off``."""
    if item.resolution != Resolution.OPEN or not may_handle(user, item):
        return frozenset()
    return frozenset(fitting_actions(item))


def correction_actions(user: Any, correction: ReconciliationCorrection) -> frozenset[str]:
    """``approve`` / ``reject`` a pending correction: finance of the department, not the proposer."""
    if (
        correction.status != CorrectionStatus.PENDING
        or correction.proposed_by_id == getattr(user, "pk", None)
        or not may_handle(user, correction.item)
    ):
        return frozenset()
    return frozenset({"approve", "reject"})
