from enum import StrEnum


class OpendataErrorCode(StrEnum):
    """Every error code opendata raises."""

    NOT_FOUND = "opendata_not_found"
    NOT_OPEN = "opendata_not_open"  # 409: the resource is not open (or conditional without a licence note)
    NOT_PUBLISHED = "opendata_not_published"  # 409: the resource has no published version
    NOTHING_OPEN = "opendata_nothing_open"  # 409: no field of the resource may be opened
    PERSONAL_DATA = "opendata_personal_data"  # 409: the data carries personal data: export refused
    INVALID_TRANSITION = "opendata_invalid_transition"  # 409: withdrawn already / not withdrawn
    NOT_READY = "opendata_not_ready"  # 409: the file of this format is not generated yet
    KEY_INVALID = "opendata_key_invalid"  # 401: unknown or revoked open-data key
    QUOTA_EXCEEDED = "opendata_quota_exceeded"  # 429: the key's daily quota is used up
    RATE_LIMITED = "opendata_rate_limited"  # 429: too many anonymous downloads from this address
    TOO_MANY_KEYS = "opendata_too_many_keys"  # 409: a user holds at most MAX_KEYS active keys
