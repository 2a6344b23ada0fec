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
    CaseExtension,
    CaseMaterial,
    CaseMaterialSource,
    CaseNumberSequence,
    CaseOutcome,
    CaseStatus,
    CorrectionNotice,
    DeliveryMethod,
    ExtensionStatus,
    SpecialProcedure,
    SpecialProcedureKind,
)
from yiwang.cases.models.held import HeldUpload
from yiwang.cases.models.queues import QUEUE_COUNTER_SHARDS, QueueCounter
from yiwang.cases.models.results import (
    BundleApplication,
    BundleApplicationStatus,
    BundleCase,
    CaseDelivery,
    CaseDocument,
    DeliveryStatus,
    DocumentKind,
)
from yiwang.cases.models.snapshots import CaseDetailSnapshot

__all__ = [
    "DEFAULT_TRUST_LEVEL",
    "QUEUE_COUNTER_SHARDS",
    "RETENTION_YEARS",
    "TERMINAL_STATUSES",
    "ArchivePackage",
    "BundleApplication",
    "BundleApplicationStatus",
    "BundleCase",
    "Case",
    "CaseDelivery",
    "CaseDetailSnapshot",
    "CaseDocument",
    "CaseEvent",
    "CaseEventType",
    "CaseExtension",
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
    "ExtensionStatus",
    "HeldUpload",
    "QueueCounter",
    "RetentionPeriod",
    "SpecialProcedure",
    "SpecialProcedureKind",
]
