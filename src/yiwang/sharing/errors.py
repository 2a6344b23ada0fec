from enum import StrEnum


class SharingErrorCode(StrEnum):
    """Every error code sharing raises."""

    NOT_FOUND = "sharing_not_found"
