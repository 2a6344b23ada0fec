from enum import StrEnum


class GatewayErrorCode(StrEnum):
    """Every error code the sharing gateway and subscriptions raise (beyond ``SharingErrorCode``)."""

    UNAUTHENTICATED = "gateway_unauthenticated"  # 401: no valid token or signature
    SIGNATURE_INVALID = "gateway_signature_invalid"  # 401: the signature does not verify
    CLOCK_SKEW = "gateway_clock_skew"  # 401: timestamp outside the window
    NONCE_REPLAYED = "gateway_nonce_replayed"  # 401: nonce already used within the window
    CONSUMER_INACTIVE = "gateway_consumer_inactive"  # 403: the consumer system is switched off
    NO_GRANT = "gateway_no_grant"  # 403: no active grant for the resource
    FIELDS_NOT_GRANTED = "gateway_fields_not_granted"  # 403: fields outside the grant (listed)
    PURPOSE_REQUIRED = "gateway_purpose_required"  # 400: purpose missing
    CASE_NUMBER_REQUIRED = "gateway_case_number_required"  # 400: personal fields without a case number
    SUBJECT_INVALID = "gateway_subject_invalid"  # 400: not an ID number / credit code / region code
    RATE_LIMITED = "gateway_rate_limited"  # 429: over the consumer's calls per minute
    QUOTA_EXCEEDED = "gateway_quota_exceeded"  # 429: over the daily quota (consumer or grant)
    SUBJECT_NOT_FOUND = "gateway_subject_not_found"  # 404: the provider has no such record
    NO_PROVIDER = "gateway_no_provider"  # 503: the resource's service has no provider
    PROVIDER_ERROR = "gateway_provider_error"  # 502: the provider failed
    NOT_CONSUMER = "gateway_not_consumer"  # 403: not an official of the consumer's organisation
    INVALID_INPUT = "gateway_invalid_input"  # 400: bad registration / subscription input
