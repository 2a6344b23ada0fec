"""Use cases of ratings: invitations, rating and follow-up, default ratings, rectification, scan."""

from yiwang.ratings.services.defaults import install_defaults, rule_for
from yiwang.ratings.services.invitations import invite
from yiwang.ratings.services.rating import follow_up, give_default_ratings, rate
from yiwang.ratings.services.rectifications import (
    call_back,
    close,
    escalate,
    open_rectification,
    rectify,
    reply,
    revisit,
)
from yiwang.ratings.services.scan import run_scan

__all__ = [
    "call_back",
    "close",
    "escalate",
    "follow_up",
    "give_default_ratings",
    "install_defaults",
    "invite",
    "open_rectification",
    "rate",
    "rectify",
    "reply",
    "revisit",
    "rule_for",
    "run_scan",
]
