from enum import StrEnum


class TicketErrorCode(StrEnum):
    """Every error code tickets raises."""

    NOT_FOUND = "ticket_not_found"  # 404: no such ticket (or not yours to see)
    FORBIDDEN = "ticket_forbidden"  # 403: the action is not yours to take
    INVALID_STATE = "ticket_invalid_state"  # 409: the ticket's status does not allow the action
    INVALID_INPUT = "ticket_invalid_input"  # 400: category, channel, text or days missing or wrong
    NO_DEPARTMENT = "ticket_no_department"  # 400: no routing rule and no department given
    MERGE_INVALID = "ticket_merge_invalid"  # 409: merging a ticket into itself or a closed/merged one
