from enum import StrEnum


class CaseErrorCode(StrEnum):
    ITEM_NOT_AVAILABLE = "item_not_available"
    ASSURANCE_TOO_LOW = "assurance_too_low"
    APPLICANT_TYPE_NOT_SERVED = "applicant_type_not_served"
    FORM_INVALID = "form_invalid"
    MISSING_MATERIALS = "missing_materials"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_FORBIDDEN = "file_type_forbidden"
    FILE_CONTENT_MISMATCH = "file_content_mismatch"
    UNKNOWN_MATERIAL = "unknown_material"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    INVALID_TRANSITION = "invalid_transition"
    STALE_CASE = "stale_case"
    NOT_IN_SCOPE = "not_in_scope"
    ROLE_REQUIRED = "role_required"
    CORRECTION_EMPTY = "correction_empty"
    REASON_REQUIRED = "reason_required"
    DECISION_BLOCKED = "decision_blocked"
    VARIANT_NOT_ALLOWED = "variant_not_allowed"
    EXTENSION_NOT_ALLOWED = "extension_not_allowed"
