"""The tables of this app (one module per aggregate, re-exported here)."""

from yiwang.payments.models.fees import ApplicantType, FeeExemption, FeeRule, FeeRuleKind
from yiwang.payments.models.orders import (
    OPEN_STATUSES,
    PAID_STATUSES,
    ExceptionKind,
    GatewayNonce,
    GatewayNotification,
    NotificationOutcome,
    OrderStatus,
    PayChannel,
    PaymentCodeSequence,
    PaymentEvent,
    PaymentEventType,
    PaymentException,
    PaymentOrder,
    Refund,
    RefundStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "PAID_STATUSES",
    "ApplicantType",
    "ExceptionKind",
    "FeeExemption",
    "FeeRule",
    "FeeRuleKind",
    "GatewayNonce",
    "GatewayNotification",
    "NotificationOutcome",
    "OrderStatus",
    "PayChannel",
    "PaymentCodeSequence",
    "PaymentEvent",
    "PaymentEventType",
    "PaymentException",
    "PaymentOrder",
    "Refund",
    "RefundStatus",
]
