from enum import StrEnum


class ExchangeErrorCode(StrEnum):
    """Every error code exchange raises."""

    NOT_FOUND = "exchange_not_found"
