"""The public services of receipts: every state change goes through these."""

from yiwang.receipts.services.issuing import (
    issue_missing,
    issue_receipt,
    issue_red_letter,
    receipt_seal,
    reversed_fen,
    verify_url,
)

__all__ = [
    "issue_missing",
    "issue_receipt",
    "issue_red_letter",
    "receipt_seal",
    "reversed_fen",
    "verify_url",
]
