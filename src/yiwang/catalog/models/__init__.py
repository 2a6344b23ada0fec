"""Catalogue models, one module per concern; everything is re-exported here for ``catalog.models``."""

from yiwang.catalog.models.items import (
    FULL_ONLINE_STEPS,
    CaseKind,
    ExerciseLevel,
    HandlingForm,
    ItemStatus,
    ItemType,
    Material,
    MaterialForm,
    OnlineDepthStep,
    ServiceItem,
    ServiceObject,
)

__all__ = [
    "FULL_ONLINE_STEPS",
    "CaseKind",
    "ExerciseLevel",
    "HandlingForm",
    "ItemStatus",
    "ItemType",
    "Material",
    "MaterialForm",
    "OnlineDepthStep",
    "ServiceItem",
    "ServiceObject",
]
