from enum import StrEnum


class ExchangeErrorCode(StrEnum):
    """Every error code exchange raises."""

    NOT_FOUND = "exchange_not_found"
    ROLE_REQUIRED = "exchange_role_required"
    NOT_CONFIGURED = "exchange_not_configured"
    UNKNOWN_NODE = "exchange_unknown_node"
    BAD_SIGNATURE = "exchange_bad_signature"
    STALE_REQUEST = "exchange_stale_request"
    WRONG_RECEIVER = "exchange_wrong_receiver"
    PACKAGE_CONFLICT = "exchange_package_conflict"
    BAD_OFFSET = "exchange_bad_offset"
    TOO_LARGE = "exchange_too_large"
    HASH_MISMATCH = "exchange_hash_mismatch"
    MALFORMED_PACKAGE = "exchange_malformed_package"
    MISSING_ENTRY = "exchange_missing_entry"
    ENTRY_MISMATCH = "exchange_entry_mismatch"
    NO_HANDLER = "exchange_no_handler"
    HANDLER_FAILED = "exchange_handler_failed"
    BAD_RECEIPT = "exchange_bad_receipt"
    TRANSFER_FAILED = "exchange_transfer_failed"
    NOT_DEAD = "exchange_delivery_not_dead"
    NOT_FAILED = "exchange_package_not_failed"
    INVALID_ENTRY = "exchange_invalid_entry"
