from enum import StrEnum


class BasesErrorCode(StrEnum):
    """Every error code bases raises."""

    NOT_FOUND = "bases_not_found"
