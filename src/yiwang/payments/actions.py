"""What a user may do with a payment order now (pages, API and templates ask here; the services
still enforce every rule)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yiwang.accounts.roles import in_scope
from yiwang.payments.models import OPEN_STATUSES, OrderStatus, PaymentOrder
from yiwang.payments.services.common import FINANCE_ROLE, WINDOW_ROLES
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
