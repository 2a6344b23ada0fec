from enum import StrEnum


class CrossregionErrorCode(StrEnum):
    """Every error code of the crossregion app (one line each with its status)."""

    INVALID_INPUT = "crossregion_invalid_input"  # 400: malformed field (details in fields)
    NOT_FOUND = "crossregion_not_found"  # 404: no such object (or not yours)
    FORBIDDEN = "crossregion_forbidden"  # 403: not allowed for this user
