"""What a user may do with a receipt, decided once for the API, the pages and the template tags."""

from __future__ import annotations

from typing import Any

from yiwang.receipts import reads
from yiwang.receipts.models import Receipt


def may_see(user: Any, receipt: Receipt) -> bool:
    """The payer, or a finance officer with the collecting department in his data scope."""
    if not getattr(user, "is_authenticated", False):
        return False
    if reads.is_staff(user):
        return reads.in_scope(user, receipt.payee_id, reads.STAFF_ROLES)
    return bool(receipt.payer_id == user.pk)


def allowed_actions(user: Any, receipt: Receipt) -> set[str]:
    """``view`` and ``download`` (the sealed PDF) for whoever may see it; nothing for others."""
    if not may_see(user, receipt) or not receipt.document:
        return {"view"} if may_see(user, receipt) else set()
    return {"view", "download"}
