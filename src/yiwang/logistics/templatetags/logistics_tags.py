"""``{% courier_orders_for obj as orders %}``: the courier orders serving an object (a case), for the
tracking timeline (``logistics/_timeline.html``).  The page that includes it has already decided the
user may see the object; the timeline shows statuses, places and times, no personal data."""

from __future__ import annotations

from typing import Any

from django import template

from yiwang.logistics import reads

register = template.Library()


@register.simple_tag
def courier_orders_for(obj: Any, reference_type: str = "cases.Case") -> list[Any]:
    public_id = getattr(obj, "public_id", None)
    if public_id is None:
        return []
    return reads.orders_for_reference(reference_type, str(public_id))
