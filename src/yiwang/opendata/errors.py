from enum import StrEnum


class OpendataErrorCode(StrEnum):
    """Every error code opendata raises."""

    NOT_FOUND = "opendata_not_found"
