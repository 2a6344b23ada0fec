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
    RECONCILIATION_NOT_FOUND = (
        "reconciliation_not_found"  # 404: no such run, item or correction (or not yours)
    )
    STATEMENT_REFUSED = "reconciliation_statement_refused"  # 409: the statement's signature or format refused
    STATEMENT_NOT_READY = (
        "reconciliation_statement_not_ready"  # 409: the gateway has no statement for the day
    )
    CORRECTION_NOT_ALLOWED = "reconciliation_correction_not_allowed"  # 409: the action does not fit the item
    CORRECTION_DECIDED = "reconciliation_correction_decided"  # 409: already approved or rejected
    SELF_APPROVAL = "reconciliation_self_approval"  # 403: the proposer cannot approve his own correction
    INVALID_DAY = "reconciliation_invalid_day"  # 400: a day in the future or too long ago
