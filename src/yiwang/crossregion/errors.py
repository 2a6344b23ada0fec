from enum import StrEnum


class CrossregionErrorCode(StrEnum):
    """Every error code of the crossregion app (one line each with its status)."""

    INVALID_INPUT = "crossregion_invalid_input"  # 400: malformed field (details in fields)
    NOT_FOUND = "crossregion_not_found"  # 404: no such object (or not yours)
    FORBIDDEN = "crossregion_forbidden"  # 403: not allowed for this user
    FORM_INVALID = "crossregion_form_invalid"  # 400: the form does not satisfy the item's definition
    MISSING_MATERIALS = "crossregion_missing_materials"  # 400: a mandatory material is missing
    UNKNOWN_MATERIAL = "crossregion_unknown_material"  # 400: a file for a material the item does not have
    ITEM_NOT_OPEN = (
        "crossregion_item_not_open"  # 409: the item is not (or no longer) open to filing elsewhere
    )
    IDENTITY_UNAVAILABLE = "crossregion_identity_unavailable"  # 409: no SSO trust with that region
    IDENTITY_UNTRUSTED = (
        "crossregion_identity_untrusted"  # 422: (handling side) the filing's issuer is not trusted
    )
    MALFORMED_FILING = (
        "crossregion_malformed_filing"  # 422: (handling side) the package lacks what a filing needs
    )
    REFRESH_FAILED = "crossregion_refresh_failed"  # 502: the peer's item listing could not be read
