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
    "TERMINAL_STATUSES",
    "BundleApplication",
    "BundleApplicationStatus",
    "BundleCase",
    "Case",
    "CaseDelivery",
    "CaseDocument",
    "CaseEvent",
    "CaseEventType",
    "CaseMaterial",
    "CaseNumberSequence",
    "CaseOutcome",
    "CaseStatus",
    "CorrectionNotice",
    "DeliveryMethod",
    "DeliveryStatus",
    "DocumentKind",
]
