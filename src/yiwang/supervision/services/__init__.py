"""Use cases of supervision: rules, the warning lifecycle, cards and appeals, checks and the scan."""

from yiwang.supervision.services.cards import (
    confirm_suggestion,
    decide_appeal,
    file_appeal,
    issue_card,
    suggest_cards,
)
from yiwang.supervision.services.rules import create_rule, install_defaults, update_rule
from yiwang.supervision.services.warnings import (
    acknowledge,
    close,
    close_cleared,
    explain,
    mark_corrected,
    raise_warning,
    raise_warnings,
    review_explanation,
)

__all__ = [
    "acknowledge",
    "close",
    "close_cleared",
    "confirm_suggestion",
    "create_rule",
    "decide_appeal",
    "explain",
    "file_appeal",
    "install_defaults",
    "issue_card",
    "mark_corrected",
    "raise_warning",
    "raise_warnings",
    "review_explanation",
    "suggest_cards",
    "update_rule",
]
