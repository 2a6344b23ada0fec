from enum import StrEnum


class SpaceErrorCode(StrEnum):
    """Every error code the applicant space raises (one line each with its status)."""

    INVALID_INPUT = "space_invalid_input"  # 400: malformed field (details in fields)
    NOT_FOUND = "space_not_found"  # 404: no such material or file (or not yours)
    FORBIDDEN = "space_forbidden"  # 403: not allowed for this user
