"""Models of receipts (see :mod:`yiwang.receipts.models.receipts`)."""

from yiwang.receipts.models.receipts import Receipt, ReceiptKind, ReceiptSequence, ReversalState

__all__ = ["Receipt", "ReceiptKind", "ReceiptSequence", "ReversalState"]
