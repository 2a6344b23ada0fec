from enum import StrEnum


class ProactiveErrorCode(StrEnum):
    """Every error code of proactive services (one line each with its status)."""

    INVALID_INPUT = "proactive_invalid_input"  # 400: malformed field (details in fields)
    NOT_FOUND = "proactive_not_found"  # 404: no such rule, push or grant (or not yours)
    FORBIDDEN = "proactive_forbidden"  # 403: not allowed for this user
    INVALID_STATE = "proactive_invalid_state"  # 409: the rule/objection is not in a state that allows this
    NOT_A_GRANT = "proactive_not_a_grant"  # 409: only a 免申即享 grant can be objected to
    OBJECTION_OPEN = "proactive_objection_open"  # 409: an objection to this grant is already open
