from enum import StrEnum


class SealErrorCode(StrEnum):
    INVALID_TRANSITION = "seal_invalid_transition"
    SELF_REVIEW = "seal_self_review"
    NOT_AUTHORISED = "seal_not_authorised"
    SEAL_NOT_USABLE = "seal_not_usable"
    ROLE_REQUIRED = "seal_role_required"
    NOT_IN_SCOPE = "seal_not_in_scope"
    INVALID_PDF = "invalid_pdf"
    INVALID_CERTIFICATE = "invalid_certificate"
    INVALID_IMAGE = "invalid_seal_image"
    NO_DOCUMENT_SEAL = "seal_no_document_seal"
