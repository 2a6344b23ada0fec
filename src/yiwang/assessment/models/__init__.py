"""Models of this bounded context (one module per aggregate, re-exported here)."""

from yiwang.assessment.models.runs import AssessmentResult, AssessmentRun, RunStatus
from yiwang.assessment.models.schemes import (
    AssessmentScheme,
    Direction,
    Indicator,
    MissingPolicy,
    PeriodKind,
    SchemeStatus,
    ScoringMethod,
    UnitLevel,
)

__all__ = [
    "AssessmentResult",
    "AssessmentRun",
    "AssessmentScheme",
    "Direction",
    "Indicator",
    "MissingPolicy",
    "PeriodKind",
    "RunStatus",
    "SchemeStatus",
    "ScoringMethod",
    "UnitLevel",
]
