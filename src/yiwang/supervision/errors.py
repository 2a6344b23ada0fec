from enum import StrEnum


class SupervisionErrorCode(StrEnum):
    """Every error code supervision raises."""

    NOT_FOUND = "supervision_not_found"  # 404: no such warning, rule, card or appeal (or not yours)
    FORBIDDEN = "supervision_forbidden"  # 403: the action is not yours to take
    INVALID_STATE = "supervision_invalid_state"  # 409: the object is not in a state that allows it
    INVALID_THRESHOLDS = "supervision_invalid_thresholds"  # 400: thresholds missing or out of range
    TEXT_REQUIRED = "supervision_text_required"  # 400: explanation, reason or comment missing
    INVALID_PERIOD = "supervision_invalid_period"  # 400: period end before start
