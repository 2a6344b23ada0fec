"""Case models, one module per concern; everything is re-exported here for ``cases.models``."""

from yiwang.cases.models.core import (
    TERMINAL_STATUSES,
    Case,
    CaseEvent,
    CaseEventType,
    CaseExtension,
    CaseMaterial,
    CaseNumberSequence,
    CaseOutcome,
    CaseStatus,
    CorrectionNotice,
    DeliveryMethod,
    ExtensionStatus,
    SpecialProcedure,
    SpecialProcedureKind,
)

__all__ = [
    "TERMINAL_STATUSES",
    "Case",
    "CaseEvent",
    "CaseEventType",
    "CaseExtension",
    "CaseMaterial",
    "CaseNumberSequence",
    "CaseOutcome",
    "CaseStatus",
    "CorrectionNotice",
    "DeliveryMethod",
    "ExtensionStatus",
    "SpecialProcedure",
    "SpecialProcedureKind",
]
