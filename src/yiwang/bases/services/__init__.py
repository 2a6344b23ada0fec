"""Use cases of bases: one module per use case, public functions re-exported here."""

from yiwang.bases.services.updates import MAX_BATCH, BatchReport, apply_updates

__all__ = ["MAX_BATCH", "BatchReport", "apply_updates"]
