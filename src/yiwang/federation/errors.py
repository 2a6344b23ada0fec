from enum import StrEnum


class FederationErrorCode(StrEnum):
    """Every error code of the federation app (one line each with its status)."""

    INVALID_INPUT = "federation_invalid_input"  # 400: malformed field (details in fields)
    NOT_FOUND = "federation_not_found"  # 404: no such object (or not yours)
    FORBIDDEN = "federation_forbidden"  # 403: not allowed for this user
    UNKNOWN_KIND = "federation_unknown_kind"  # 400: no such record kind
    NOT_A_CHILD = "federation_not_a_child"  # 403 (package refused): the sender is not a child node
    NOT_A_PARENT = "federation_not_a_parent"  # 403 (package refused): the sender is not the parent node
    INVALID_PACKAGE = (
        "federation_invalid_package"  # 422 (package refused): an entry is not a JSON array of records
    )
