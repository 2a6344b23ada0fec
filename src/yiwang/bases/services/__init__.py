"""Use cases of bases: one module per use case, public functions re-exported here."""

from yiwang.bases.services.feeds import (
    FEED_KINDS,
    apply_feed_package,
    authorise_feed,
    feed_kind,
    feed_source,
    register_feed_handlers,
    send_feed,
)
from yiwang.bases.services.updates import MAX_BATCH, BatchReport, apply_updates

__all__ = [
    "FEED_KINDS",
    "MAX_BATCH",
    "BatchReport",
    "apply_feed_package",
    "apply_updates",
    "authorise_feed",
    "feed_kind",
    "feed_source",
    "register_feed_handlers",
    "send_feed",
]
