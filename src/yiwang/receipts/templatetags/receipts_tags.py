"""Template helpers of receipts: the receipt links of an order (pay page, finance detail) or of a
case (case page), for whoever may see them (``{% include "receipts/_links.html" %}``)."""

from __future__ import annotations

from typing import Any

from django import template

from yiwang.payments.models import PaymentOrder
from yiwang.receipts import reads
from yiwang.receipts.actions import allowed_actions
from yiwang.receipts.amounts import yuan_text
from yiwang.receipts.models import Receipt

register = template.Library()


def _viewer(context: Any) -> Any:
    request = getattr(context, "request", None) or context.get("request")
    return getattr(request, "user", None)


@register.filter
def receipt_yuan(fen: Any) -> str:
    try:
        return yuan_text(int(fen))
    except (TypeError, ValueError):
        return ""


@register.inclusion_tag("receipts/_receipt_links.html", takes_context=True)
def receipt_links(context: Any, order: Any = None, case: Any = None) -> dict[str, Any]:
    """The receipts of ``order`` (or of the orders of ``case``) the viewer may see, newest last."""
    user = _viewer(context)
    receipts: list[Receipt] = []
    if getattr(user, "is_authenticated", False):
        visible = reads.visible_receipts(user)
        if isinstance(order, PaymentOrder):
            visible = visible.filter(order=order)
        elif case is not None and getattr(case, "public_id", None):
            visible = visible.filter(order__subject_type="cases.Case", order__subject_id=str(case.public_id))
        else:
            visible = visible.none()
        receipts = list(visible.order_by("issued_at", "pk")[:20])
    rows = [
        {
            "receipt": r,
            "state": reads.reversal_state(r),
            "state_label": reads.ReversalState(reads.reversal_state(r)).label,
            "download": "download" in allowed_actions(user, r),
        }
        for r in receipts
    ]
    return {"rows": rows}
