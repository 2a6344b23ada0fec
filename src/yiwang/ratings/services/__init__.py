"""Use cases of ratings: invitations, rating and follow-up, default ratings, rectification, scan."""

from yiwang.ratings.services.defaults import install_defaults, rule_for
from yiwang.ratings.services.invitations import invite

__all__ = ["install_defaults", "invite", "rule_for"]
