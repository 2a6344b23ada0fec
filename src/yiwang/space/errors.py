from enum import StrEnum


class SpaceErrorCode(StrEnum):
    """Every error code the applicant space raises (one line each with its status)."""

    INVALID_INPUT = "space_invalid_input"  # 400: malformed field (details in fields)
    NOT_FOUND = "space_not_found"  # 404: no such material or file (or not yours)
    FORBIDDEN = "space_forbidden"  # 403: not allowed for this user
    MATERIAL_IN_USE = "space_material_in_use"  # 409: a case using the material is not decided yet
    MATERIAL_DELETED = "space_material_deleted"  # 409: the material was deleted already
    REUSE_INVALID = "space_reuse_invalid"  # 400: the chosen stored material does not fit this material
    SUBJECT_NOT_FOUND = "space_subject_not_found"  # 404: no person or company with that number
