"""Case models, one module per concern; everything is re-exported here for ``cases.models``."""

from yiwang.cases.models.archive import (
    RETENTION_YEARS,
    ArchivePackage,
    DatasetExport,
    DatasetExportCursor,
    RetentionPeriod,
)
from yiwang.cases.models.core import (
    DEFAULT_TRUST_LEVEL,
    TERMINAL_STATUSES,
    Case,
    CaseEvent,
    CaseEventType,
    CaseMaterial,
    CaseMaterialSource,
    CaseNumberSequence,
    CaseOutcome,
    CaseStatus,
    CorrectionNotice,
    DeliveryMethod,
)

__all__ = [
    "DEFAULT_TRUST_LEVEL",
    "RETENTION_YEARS",
    "TERMINAL_STATUSES",
    "ArchivePackage",
    "Case",
    "CaseEvent",
    "CaseEventType",
    "CaseMaterial",
    "CaseMaterialSource",
    "CaseNumberSequence",
    "CaseOutcome",
    "CaseStatus",
    "CorrectionNotice",
    "DatasetExport",
    "DatasetExportCursor",
    "DeliveryMethod",
    "RetentionPeriod",
]
