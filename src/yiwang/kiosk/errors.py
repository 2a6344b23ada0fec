from enum import StrEnum


class KioskErrorCode(StrEnum):
    """Every error code the kiosk raises (one line each with its status)."""

    DEVICE_UNKNOWN = "kiosk_device_unknown"  # 403: the browser is not a registered, active kiosk
    CARD_INVALID = "kiosk_card_invalid"  # 400: malformed card read (details in fields)
    CARD_SIGNATURE = "kiosk_card_signature"  # 403: the reader's signature does not verify
    CARD_STALE = "kiosk_card_stale"  # 403: the card read is older (or newer) than 60 seconds
    CARD_REPLAYED = "kiosk_card_replayed"  # 409: this card read was used already
    LOGIN_REQUIRED = "kiosk_login_required"  # 403: the function needs a known, logged-in person
    QR_NOT_FOUND = "kiosk_qr_not_found"  # 404: no such log-in request (or expired / used)
    QR_FORBIDDEN = "kiosk_qr_forbidden"  # 403: only applicants confirm a kiosk log-in
    INVALID_INPUT = "kiosk_invalid_input"  # 400: malformed field (details in fields)
