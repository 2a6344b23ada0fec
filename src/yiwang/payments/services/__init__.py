"""The use cases of payments (every state change goes through one of these)."""

from yiwang.payments.services.corrections import decide_correction, propose_correction
from yiwang.payments.services.notifications import (
    Answer,
    handle_notification,
    query_pending_payments,
    receive_notification,
)
from yiwang.payments.services.orders import (
    apply_paid,
    breakdown_for,
    close_expired_orders,
    close_order,
    create_order,
    item_has_fees,
    open_order,
    open_order_for,
    record_offline_payment,
    renew_order,
    start_online_payment,
)
from yiwang.payments.services.reconciliation import reconcile
from yiwang.payments.services.refunds import apply_refund_result, request_refund
from yiwang.payments.services.rules import add_exemption, set_fee_rule

__all__ = [
    "Answer",
    "add_exemption",
    "apply_paid",
    "apply_refund_result",
    "breakdown_for",
    "close_expired_orders",
    "close_order",
    "create_order",
    "decide_correction",
    "handle_notification",
    "item_has_fees",
    "open_order",
    "open_order_for",
    "propose_correction",
    "query_pending_payments",
    "receive_notification",
    "reconcile",
    "record_offline_payment",
    "renew_order",
    "request_refund",
    "set_fee_rule",
    "start_online_payment",
]
