"""Gateway adapters behind one interface (:mod:`.base`): the fiscal non-tax collection gateway over
HTTP (:mod:`.fiscal`) and payment at the window (:mod:`.offline`)."""

from yiwang.payments.gateways.base import (
    CreatePayment,
    GatewayError,
    GatewayRefused,
    PaymentGateway,
    PaymentStarted,
    PaymentStatus,
    RefundRequest,
    RefundStatusInfo,
    SignatureRefused,
    StatementLine,
)

__all__ = [
    "CreatePayment",
    "GatewayError",
    "GatewayRefused",
    "PaymentGateway",
    "PaymentStarted",
    "PaymentStatus",
    "RefundRequest",
    "RefundStatusInfo",
    "SignatureRefused",
    "StatementLine",
]
