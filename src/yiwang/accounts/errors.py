from enum import StrEnum

from yiwang.core.errors import CoreErrorCode


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
    ASSURANCE_TOO_LOW = CoreErrorCode.ASSURANCE_TOO_LOW.value  # the web kit redirects on it
    NOT_STAFF = "not_staff"
    ACCOUNT_LOCKED = "account_locked"
    IP_LOCKED = "ip_locked"
    ACCOUNT_DISABLED = "account_disabled"
    MFA_REQUIRED = "mfa_required"
    MFA_INVALID = "mfa_invalid"
    MFA_ALREADY_ENROLLED = "mfa_already_enrolled"
    IDENTITY_CHECK_PENDING = "identity_check_pending"
    IDENTITY_CHECK_FAILED = "identity_check_failed"
    IDENTITY_MISMATCH = "identity_mismatch"
    LEVEL_NOT_APPLICABLE = "level_not_applicable"
    AGENT_NOT_AUTHORISED = "agent_not_authorised"
    AGENT_INVALID = "agent_invalid"
    NOT_LEGAL_REPRESENTATIVE = "not_legal_representative"
    REPRESENTATIVE_NOT_VERIFIED = "representative_not_verified"
    ROLE_SEPARATION = "role_separation"
    SELF_GRANT_FORBIDDEN = "self_grant_forbidden"
    ADMIN_ROLE_REQUIRED = "admin_role_required"
    OUT_OF_SCOPE = "out_of_scope"
    RECOVERY_FAILED = "recovery_failed"
    SAME_PHONE = "same_phone"
    SSO_CLIENT_INVALID = "sso_client_invalid"
    SSO_MAPPING_CONFLICT = "sso_mapping_conflict"
    APPLICANT_IDENTITY_INVALID = "applicant_identity_invalid"
    UPSTREAM_LOGIN_REFUSED = "upstream_login_refused"  # 403/400/409: the upstream identity cannot log in here
    UPSTREAM_UNAVAILABLE = "upstream_unavailable"  # 502: the upstream provider did not answer correctly
