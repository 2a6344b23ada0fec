"""Models of ratings (好差评)."""

from yiwang.ratings.models.aggregates import COUNTERS, RatingDay, RatingDirtyDay
from yiwang.ratings.models.invitations import InvitationStatus, RatingInvitation, SubjectKind
from yiwang.ratings.models.ratings import (
    BAD_LEVELS,
    COMMENT_MAX,
    GOOD_LEVELS,
    Rating,
    RatingChannel,
    RatingLevel,
    RatingReason,
    ReasonKind,
)
from yiwang.ratings.models.rectifications import (
    OPEN_STATUSES,
    OverdueStage,
    Rectification,
    RectificationRule,
    RectificationStatus,
)

__all__ = [
    "BAD_LEVELS",
    "COMMENT_MAX",
    "COUNTERS",
    "GOOD_LEVELS",
    "OPEN_STATUSES",
    "InvitationStatus",
    "OverdueStage",
    "Rating",
    "RatingChannel",
    "RatingDay",
    "RatingDirtyDay",
    "RatingInvitation",
    "RatingLevel",
    "RatingReason",
    "ReasonKind",
    "Rectification",
    "RectificationRule",
    "RectificationStatus",
    "SubjectKind",
]
