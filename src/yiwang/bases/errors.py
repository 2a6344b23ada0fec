from enum import StrEnum


class BasesErrorCode(StrEnum):
    """Every error code bases raises."""

    NOT_FOUND = "bases_not_found"
    UNKNOWN_BASE = "bases_unknown_base"
    UNKNOWN_FIELD = "bases_unknown_field"
    INVALID_RECORD = "bases_invalid_record"
    PERSON_NAME_MISMATCH = "bases_person_name_mismatch"
    PERSON_DECEASED = "bases_person_deceased"
    COMPANY_CLOSED = "bases_company_closed"
    COMPANY_NAME_MISMATCH = "bases_company_name_mismatch"
    NOT_REPRESENTATIVE = "bases_not_representative"
    FEED_NOT_AUTHORISED = "bases_feed_not_authorised"
    INVALID_FEED = "bases_invalid_feed"
