"""Services of assessment: every change goes through here (pages, API and commands call them)."""

from yiwang.assessment.services.runs import publish_run, run_assessment
from yiwang.assessment.services.schemes import (
    IndicatorData,
    SchemeData,
    check_weights,
    create_scheme,
    new_version,
    publish_scheme,
    retire_scheme,
    update_scheme,
    validate,
)

__all__ = [
    "IndicatorData",
    "SchemeData",
    "check_weights",
    "create_scheme",
    "new_version",
    "publish_run",
    "publish_scheme",
    "retire_scheme",
    "run_assessment",
    "update_scheme",
    "validate",
]
