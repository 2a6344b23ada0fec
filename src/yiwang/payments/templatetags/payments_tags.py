"""Template helpers of payments: amounts in 元 from fen, and the "缴费" link of a case page."""

from __future__ import annotations

from typing import Any

from django import template

from yiwang.payments import reads

register = template.Library()


@register.filter
def yuan(fen: Any) -> str:
    """5000 → "50.00" (integer arithmetic, never a float)."""
    try:
        value = int(fen)
    except (TypeError, ValueError):
        return ""
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100:,}.{value % 100:02d}"


@register.inclusion_tag("payments/_case_payment_link.html", takes_context=True)
def case_payment_link(context: Any, case: Any) -> dict[str, Any]:
    """The "缴费" link on the applicant's case page while the case waits for a payment."""
    order = None
    if getattr(case, "status", "") == "accepted":
        order = reads.payment_due("cases.Case", str(case.public_id))
        user = getattr(context.get("request"), "user", None)
        if order is not None and getattr(user, "pk", None) != order.payer_id:
            order = None
    return {"order": order, "case": case}
