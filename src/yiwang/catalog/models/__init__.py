"""Catalogue models, one module per concern; everything is re-exported here for ``catalog.models``."""

from yiwang.catalog.models.base import BaseItem, BaseItemStatus, CodeKind, IssuedCode

# Discovery and channels (情形引导, 一件事, 检索): scenarios, bundles, search.
from yiwang.catalog.models.bundles import (
    Bundle,
    BundleAudience,
    BundleField,
    BundleFieldMapping,
    BundleMember,
    BundleStatus,
)
from yiwang.catalog.models.documents import GuideDocument
from yiwang.catalog.models.items import (
    FULL_ONLINE_STEPS,
    CaseKind,
    ExerciseLevel,
    FeeItem,
    HandlingForm,
    ItemStatus,
    ItemType,
    Material,
    MaterialForm,
    MaterialSourceKind,
    OnlineDepthStep,
    ServiceItem,
    ServiceObject,
    SpecialProcedureKind,
    TongbanRange,
)
from yiwang.catalog.models.scenarios import (
    ScenarioCondition,
    ScenarioOption,
    ScenarioQuestion,
)
from yiwang.catalog.models.search import ItemTheme, Synonym, Theme
from yiwang.catalog.models.versions import (
    ImmutableVersionError,
    ItemReview,
    ReviewDecision,
    ServiceItemVersion,
)

__all__ = [
    "FULL_ONLINE_STEPS",
    "BaseItem",
    "BaseItemStatus",
    "Bundle",
    "BundleAudience",
    "BundleField",
    "BundleFieldMapping",
    "BundleMember",
    "BundleStatus",
    "CaseKind",
    "CodeKind",
    "ExerciseLevel",
    "FeeItem",
    "GuideDocument",
    "HandlingForm",
    "ImmutableVersionError",
    "IssuedCode",
    "ItemReview",
    "ItemStatus",
    "ItemTheme",
    "ItemType",
    "Material",
    "MaterialForm",
    "MaterialSourceKind",
    "OnlineDepthStep",
    "ReviewDecision",
    "ScenarioCondition",
    "ScenarioOption",
    "ScenarioQuestion",
    "ServiceItem",
    "ServiceItemVersion",
    "ServiceObject",
    "SpecialProcedureKind",
    "Synonym",
    "Theme",
    "TongbanRange",
]
