from enum import StrEnum


class PaymentErrorCode(StrEnum):
    """Every error code payments raises (docs/payments.md)."""

    NOT_FOUND = "payment_not_found"  # 404: no such order (or not visible to you)
    ROLE_REQUIRED = "payment_role_required"  # 403: not a finance officer / window clerk of the department
    INVALID_TRANSITION = "payment_invalid_transition"  # 409: the order's state does not allow it
    INVALID_RULE = "payment_invalid_rule"  # 400: a fee rule or exemption that cannot be computed
    INVALID_AMOUNT = "payment_invalid_amount"  # 400: zero, negative or too large an amount
    REFUND_EXCEEDS = "payment_refund_exceeds"  # 409: more than what was paid and not yet refunded
    AMOUNT_MISMATCH = "payment_amount_mismatch"  # 409: a notification's amount is not the order's
    BAD_SIGNATURE = "bad_signature"  # 401: notification signature, timestamp or nonce refused (protocol code)
    GATEWAY_UNAVAILABLE = "payment_gateway_unavailable"  # 503: the gateway timed out or answered garbage
    GATEWAY_REFUSED = "payment_gateway_refused"  # 409: the gateway refused (conflict, already paid...)
    RECEIPT_REQUIRED = "payment_receipt_required"  # 400: a window payment needs its receipt number
    NOTHING_DUE = "payment_nothing_due"  # 409: the fee rules give nothing to pay
