"""Helpers of the queue tests: an appointment booked directly (without the booking service), a
clerk signed in to a window, a ticket taken and called."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from yiwang.accounts.models import User
from yiwang.hall.models import (
    Appointment,
    AppointmentChannel,
    AppointmentSlot,
    QueueTicket,
    TicketSource,
    Window,
)
from yiwang.hall.services import queue, windows


def book(world: Any, starts_at: datetime, *, item: Any = None, applicant: User | None = None) -> Appointment:
    slot, _ = AppointmentSlot.objects.get_or_create(
        schedule=world.schedule,
        starts_at=starts_at,
        defaults={
            "hall": world.hall,
            "window_group": world.group,
            "day": starts_at.date(),
            "ends_at": starts_at + timedelta(minutes=30),
            "capacity": 2,
            "booked": 1,
        },
    )
    return Appointment.objects.create(
        code=secrets.token_hex(4).upper(),
        hall=world.hall,
        slot=slot,
        item=item or world.market_item,
        channel=AppointmentChannel.WEB,
        applicant=applicant or world.citizen,
        name="张三",
        id_number="340104199001011234",
        phone="13800000001",
        checkin_token=secrets.token_urlsafe(16),
    )


def sign_in(window: Window, clerk: User) -> Window:
    return windows.open_window(window=window, clerk=clerk)


def take(world: Any, category: Any = None, **kwargs: Any) -> QueueTicket:
    return queue.take_ticket(
        hall=world.hall, category=category or world.category_market, source=TicketSource.KIOSK, **kwargs
    )
