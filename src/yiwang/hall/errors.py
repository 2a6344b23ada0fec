from enum import StrEnum


class HallErrorCode(StrEnum):
    """Every error code the hall raises (add yours here; one line each with its status)."""

    NOT_FOUND = "hall_not_found"  # 404: no such hall, window, ticket or appointment (or not yours)
    FORBIDDEN = "hall_forbidden"  # 403: not hall staff / not the hall's manager / not your booking
    INVALID_STATE = "hall_invalid_state"  # 409: the object is not in a state that allows the action
    SLOT_FULL = "hall_slot_full"  # 409: the slot has no capacity left
    SLOT_UNAVAILABLE = "hall_slot_unavailable"  # 409: slot closed, past, or not for this item
    BOOKING_BLOCKED = "hall_booking_blocked"  # 403: online booking blocked after repeated no-shows
    DUPLICATE_BOOKING = "hall_duplicate_booking"  # 409: the person already holds a booking that day
    QUEUE_EMPTY = "hall_queue_empty"  # 404: nobody waiting for this window
    DAILY_LIMIT = "hall_daily_limit"  # 409: the category has issued its last ticket of the day
    WINDOW_BUSY = "hall_window_busy"  # 409: the window is serving a ticket or held by another clerk
    INVALID_INPUT = "hall_invalid_input"  # 400: malformed field (details in fields)
    AGENCY_INVALID = "hall_agency_invalid"  # 403: no valid authorisation for this principal/item
    DEVICE_KEY_INVALID = "hall_device_key_invalid"  # 403: the rating device key does not match the window
