from enum import StrEnum


class ReceiptErrorCode(StrEnum):
    """Every error code receipts raises."""

    NOT_FOUND = "receipts_not_found"  # 404: no such receipt (or order), or not yours to see
    NOT_PAID = "receipts_order_not_paid"  # 409: the order is not paid (no receipt for it)
    NO_SEAL = "receipts_no_seal"  # 409: the collecting department has no usable seal
    REFUND_NOT_FINISHED = "receipts_refund_not_finished"  # 409: red letter only for a finished refund
    EXCEEDS_ORIGINAL = "receipts_exceeds_original"  # 409: red letters would reverse more than issued
    SERIALS_EXHAUSTED = "receipts_serials_exhausted"  # 409: the bill code's 10-digit serials are used up
    INVALID_CODE = "receipts_invalid_code"  # 400: a verification code that is not 24 valid characters
