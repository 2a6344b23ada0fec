"""Case models, one module per concern; everything is re-exported here for ``cases.models``."""

from yiwang.cases.models.archive import (
    RETENTION_YEARS,
    ArchivePackage,
    DatasetExport,
    DatasetExportCursor,
    RetentionPeriod,
)
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
    "RETENTION_YEARS",
    "TERMINAL_STATUSES",
    "ArchivePackage",
    "Case",
    "CaseEvent",
    "CaseEventType",
    "CaseMaterial",
    "CaseNumberSequence",
    "CaseOutcome",
    "CaseStatus",
    "CorrectionNotice",
    "DatasetExport",
    "DatasetExportCursor",
    "DeliveryMethod",
    "RetentionPeriod",
]
