from enum import StrEnum


class FederationErrorCode(StrEnum):
    """Every error code of the federation app (one line each with its status)."""

    INVALID_INPUT = "federation_invalid_input"  # 400: malformed field (details in fields)
    NOT_FOUND = "federation_not_found"  # 404: no such object (or not yours)
    FORBIDDEN = "federation_forbidden"  # 403: not allowed for this user
