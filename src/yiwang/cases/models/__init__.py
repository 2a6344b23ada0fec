"""Case models, one module per concern; everything is re-exported here for ``cases.models``."""

from yiwang.cases.models.core import (
    TERMINAL_STATUSES,
    Case,
    CaseEvent,
    CaseEventType,
    CaseMaterial,
    CaseNumberSequence,
    CaseOutcome,
    CaseStatus,
    CorrectionNotice,
    DeliveryMethod,
)

__all__ = [
    "TERMINAL_STATUSES",
    "Case",
    "CaseEvent",
    "CaseEventType",
    "CaseMaterial",
    "CaseNumberSequence",
    "CaseOutcome",
    "CaseStatus",
    "CorrectionNotice",
    "DeliveryMethod",
]
