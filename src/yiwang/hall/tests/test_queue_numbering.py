"""取号 Numbering per (category, day), priority order and the daily limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from yiwang.core.errors import DomainError
from yiwang.hall.models import QueueCounter, QueueEvent, TicketPriority
from yiwang.hall.services import queue
from yiwang.hall.tests.queue_helpers import sign_in, take


def test_numbers_per_category_and_day(world: Any, frozen: Any) -> None:
    a1, a2 = take(world), take(world)
    b1 = take(world, world.category_police)
    assert [a1.number, a2.number, b1.number] == ["A001", "A002", "B001"]
    assert a1.priority == TicketPriority.NORMAL
    assert QueueEvent.objects.filter(ticket=a1, kind="issued").count() == 1
    frozen.move_to(a1.issued_at + timedelta(days=1))
    assert take(world).number == "A001"
    assert QueueCounter.objects.filter(category=world.category_market).count() == 2


def test_invalid_input_is_refused(world: Any) -> None:
    with pytest.raises(DomainError) as exc:
        take(world, green_reason="vip")
    assert exc.value.code == "hall_invalid_input"
    other = world.category_market
    other.hall_id = 0
    with pytest.raises(DomainError):
        queue.take_ticket(hall=world.hall, category=other, source="kiosk")


def test_priority_green_then_appointment_then_normal(world: Any, frozen: Any) -> None:
    from yiwang.hall.tests.queue_helpers import book

    normal = take(world)
    frozen.shift(60)
    appointment = book(world, world.hall.created_at.replace(hour=1) + timedelta(hours=1))
    appt_ticket = take(world, appointment=appointment)
    frozen.shift(60)
    green = take(world, green_reason="elderly")
    assert (green.priority, appt_ticket.priority) == (TicketPriority.GREEN, TicketPriority.APPOINTMENT)
    sign_in(world.window_market, world.clerk)
    called = []
    for _ in range(3):
        ticket = queue.call_next(window=world.window_market, clerk=world.clerk)
        called.append(ticket.number)
        queue.finish(ticket=ticket, clerk=world.clerk)
    assert called == [green.number, appt_ticket.number, normal.number]


def test_daily_limit(world: Any) -> None:
    world.category_police.daily_limit = 2
    world.category_police.save(update_fields=["daily_limit"])
    take(world, world.category_police)
    take(world, world.category_police)
    with pytest.raises(DomainError) as exc:
        take(world, world.category_police)
    assert exc.value.code == "hall_daily_limit" and exc.value.status == 409
    assert take(world).number == "A001"  # other categories are not limited
