from yiwang.supervision.models.cards import Appeal, AppealStatus, Card, CardColour, CardStatus
from yiwang.supervision.models.rules import (
    RuleGeneration,
    RuleKind,
    SupervisionRule,
    SupervisionRuleVersion,
    WarningLevel,
)
from yiwang.supervision.models.warnings import (
    OPEN_STATUSES,
    SupervisionWarning,
    WarningResolution,
    WarningSource,
    WarningStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "Appeal",
    "AppealStatus",
    "Card",
    "CardColour",
    "CardStatus",
    "RuleGeneration",
    "RuleKind",
    "SupervisionRule",
    "SupervisionRuleVersion",
    "SupervisionWarning",
    "WarningLevel",
    "WarningResolution",
    "WarningSource",
    "WarningStatus",
]
