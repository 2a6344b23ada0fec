from enum import StrEnum


class LogisticsErrorCode(StrEnum):
    """Every error code logistics raises."""

    NOT_FOUND = "logistics_not_found"  # 404: no such order, or not yours / not in your departments
    ROLE_REQUIRED = "logistics_role_required"  # 403: only a window clerk of the department may do this
    INVALID_ADDRESS = "logistics_invalid_address"  # 400: region code or address text refused
    INVALID_TRANSITION = "logistics_invalid_transition"  # 409: the order's status does not allow it
    CARRIER_REFUSED = "logistics_carrier_refused"  # 422: the carrier refused the order (undeliverable)
    CARRIER_UNAVAILABLE = "logistics_carrier_unavailable"  # 503: the carrier did not answer (retried)
    BAD_SIGNATURE = "logistics_bad_signature"  # 401: a callback not signed by the carrier
    STALE_CALLBACK = "logistics_stale_callback"  # 401: a callback outside the timestamp window (replay)
    UNKNOWN_WAYBILL = "logistics_unknown_waybill"  # 404: a callback for a waybill we never had
    INVALID_CALLBACK = "logistics_invalid_callback"  # 400: a callback body we cannot read
