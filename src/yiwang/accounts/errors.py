from enum import StrEnum


class AccountErrorCode(StrEnum):
    USERNAME_TAKEN = "username_taken"
    PHONE_TAKEN = "phone_taken"
    ID_NUMBER_TAKEN = "id_number_taken"
    CREDIT_CODE_TAKEN = "credit_code_taken"
    SMS_CODE_INVALID = "sms_code_invalid"
    SMS_CODE_EXPIRED = "sms_code_expired"
    SMS_RATE_LIMITED = "sms_rate_limited"
    WEAK_PASSWORD = "weak_password"  # noqa: S105 - an error code
    INVALID_CREDENTIALS = "invalid_credentials"
    ASSURANCE_TOO_LOW = "assurance_too_low"
    NOT_STAFF = "not_staff"
