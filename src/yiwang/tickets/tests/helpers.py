"""Shortcuts of the tickets tests."""

from __future__ import annotations

from typing import Any

from yiwang.tickets.models import Ticket
from yiwang.tickets.services import create_ticket


def complaint(world: Any, **extra: Any) -> Ticket:
    """A web complaint about food, routed to the market regulator (dispatched)."""
    values: dict[str, Any] = {
        "actor": world.citizen,
        "category": "complaint",
        "title": "超市销售过期食品",
        "content": "我在某超市买到过期食品，商家拒绝退换，投诉。",
        "channel": "web",
        "region_code": "340104",
    }
    values.update(extra)
    return create_ticket(**values)


def call(world: Any, **extra: Any) -> Ticket:
    """A hotline call recorded by the agent (not dispatched yet)."""
    values: dict[str, Any] = {
        "actor": world.agent,
        "category": "consultation",
        "title": "营业执照办理",
        "content": "请问个体户营业执照需要什么材料？",
        "channel": "hotline",
        "contact_name": "王芳",
        "contact_phone": "13700000009",
        "region_code": "340104",
    }
    values.update(extra)
    return create_ticket(**values)
