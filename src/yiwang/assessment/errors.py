from enum import StrEnum


class AssessmentErrorCode(StrEnum):
    """Every error code assessment raises."""

    NOT_FOUND = "assessment_not_found"  # 404: no such scheme or run, or not yours to see
    FORBIDDEN = "assessment_forbidden"  # 403: only supervisors (监察人员) manage schemes and runs
    INVALID_SCHEME = (
        "assessment_invalid_scheme"  # 400: fields of the scheme or its indicators (fields say which)
    )
    WEIGHTS = "assessment_weights"  # 400: the weights do not sum to 100
    UNKNOWN_SOURCE = "assessment_unknown_source"  # 400: an indicator names no registered source
    NOT_DRAFT = "assessment_not_draft"  # 409: only a draft scheme is edited or published
    NOT_PUBLISHED = "assessment_not_published"  # 409: runs and new versions need a published scheme
    INVALID_PERIOD = "assessment_invalid_period"  # 400: a period that does not match the scheme's kind
    RUN_PUBLISHED = "assessment_run_published"  # 409: a published run cannot change or be re-run
    NO_SEAL = "assessment_no_seal"  # 409: the owner has no usable seal for the report
    STALE = "assessment_stale"  # 409: the scheme changed since it was read (lock_version)
