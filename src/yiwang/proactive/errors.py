from enum import StrEnum


class ProactiveErrorCode(StrEnum):
    """Every error code of proactive services (one line each with its status)."""

    INVALID_INPUT = "proactive_invalid_input"  # 400: malformed field (details in fields)
    NOT_FOUND = "proactive_not_found"  # 404: no such rule, push or grant (or not yours)
    FORBIDDEN = "proactive_forbidden"  # 403: not allowed for this user
