"""Helpers of the queue tests: an appointment booked directly (without the booking service), a
clerk signed in to a window, a ticket taken and called."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yiwang.accounts.models import User
from yiwang.hall.models import (
    Appointment,
    QueueTicket,
    TicketSource,
    Window,
)
from yiwang.hall.services import queue, windows
from yiwang.testing.hall import book_slot


def book(world: Any, starts_at: datetime, *, item: Any = None, applicant: User | None = None) -> Appointment:
    return book_slot(world, starts_at, item=item, applicant=applicant or world.citizen)


def sign_in(window: Window, clerk: User) -> Window:
    return windows.open_window(window=window, clerk=clerk)


def take(world: Any, category: Any = None, **kwargs: Any) -> QueueTicket:
    return queue.take_ticket(
        hall=world.hall, category=category or world.category_market, source=TicketSource.KIOSK, **kwargs
    )
