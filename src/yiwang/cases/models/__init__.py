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
from yiwang.cases.models.results import (
    BundleApplication,
    BundleApplicationStatus,
    BundleCase,
    CaseDelivery,
    CaseDocument,
    DeliveryStatus,
    DocumentKind,
)

__all__ = [
    "DEFAULT_TRUST_LEVEL",
    "RETENTION_YEARS",
    "TERMINAL_STATUSES",
    "ArchivePackage",
    "BundleApplication",
    "BundleApplicationStatus",
    "BundleCase",
    "Case",
    "CaseDelivery",
    "CaseDocument",
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
    "DeliveryStatus",
    "DocumentKind",
    "RetentionPeriod",
]
