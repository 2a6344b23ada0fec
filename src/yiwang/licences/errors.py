"""Stable error codes of the e-licence app (电子证照)."""

from enum import StrEnum


class LicenceErrorCode(StrEnum):
    INVALID_IDENTIFIER = "licence_invalid_identifier"
    INVALID_DATA = "licence_invalid_data"
    INVALID_TYPE = "licence_invalid_type"
    NO_SEAL = "licence_no_usable_seal"
    NOT_FOUND = "licence_not_found"
    INVALID_TRANSITION = "licence_invalid_transition"
    NOT_CURRENT = "licence_not_current"
    USE_REFUSED = "licence_use_refused"
    NOT_HOLDER = "licence_not_holder"
    SHARE_EXPIRED = "licence_share_expired"
    SHARE_REVOKED = "licence_share_revoked"
    INVALID_EXPIRY = "licence_invalid_share_expiry"
    INVALID_CONSENT = "licence_invalid_consent"
    ROLE_REQUIRED = "licence_role_required"
    IMPORT_INVALID = "licence_import_invalid"
    INVALID_PDF = "licence_invalid_pdf"
