from enum import StrEnum


class SharingErrorCode(StrEnum):
    """Every error code sharing raises."""

    NOT_FOUND = "sharing_not_found"
    ROLE_REQUIRED = "sharing_role_required"  # 403: not a data official (of the right organisation)
    NOT_PROVIDER = "sharing_not_provider"  # 403: only the provider's data officials may do this
    NOT_REVIEWER = "sharing_not_reviewer"  # 403: not a catalogue reviewer for this provider
    SELF_REVIEW = "sharing_self_review"  # 403: a provider may not review its own resource
    INVALID_TRANSITION = "sharing_invalid_transition"  # 409: not in a status that allows it
    INVALID_FIELDS = "sharing_invalid_fields"  # 400: field names not in the resource
    INVALID_PERIOD = "sharing_invalid_period"  # 400: period empty, reversed or too long
    NOT_SHARED = "sharing_not_shared"  # 409: the resource is 不予共享 (no_share_basis in fields)
    NOT_PUBLISHED = "sharing_not_published"  # 409: the resource has no published version
    OWN_RESOURCE = "sharing_own_resource"  # 400: an organisation does not request its own resource
    REASON_REQUIRED = "sharing_reason_required"  # 400: refusal or revocation without a reason
    NARROWING_INVALID = "sharing_narrowing_invalid"  # 400: narrowing is not a subset / not shorter
    DUPLICATE_CODE = "sharing_duplicate_code"  # 409: a catalogue or resource code exists already
