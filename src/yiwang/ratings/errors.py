from enum import StrEnum


class RatingsErrorCode(StrEnum):
    """Every error code ratings raises."""

    NOT_FOUND = "ratings_not_found"  # 404: no such invitation (token), rectification (or not yours)
    FORBIDDEN = "ratings_forbidden"  # 403: the action is not yours to take
    ALREADY_RATED = "ratings_already_rated"  # 409: the service has been rated already
    NOT_RATED = "ratings_not_rated"  # 409: a follow-up needs a rating first
    FOLLOWUP_DONE = "ratings_followup_done"  # 409: the one follow-up has been given already
    INVALID_STATE = "ratings_invalid_state"  # 409: the rectification is not in a state that allows it
    INVALID_LEVEL = "ratings_invalid_level"  # 400: level not 1–5
    INVALID_REASON = "ratings_invalid_reason"  # 400: unknown reason, or a good reason on a bad rating
    TEXT_REQUIRED = "ratings_text_required"  # 400: text missing
    INVALID_SUBJECT = "ratings_invalid_subject"  # 400: unknown subject kind
    INVALID_PERIOD = "ratings_invalid_period"  # 400: period end before start or too long
