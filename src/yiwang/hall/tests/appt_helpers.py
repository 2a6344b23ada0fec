"""Helpers of the appointment tests: a person's booking fields, the first free slot."""

from __future__ import annotations

from datetime import date
from typing import Any

from yiwang.core.identifiers import make_id_number
from yiwang.hall.models import AppointmentSlot
from yiwang.hall.services import appointments, slots
from yiwang.testing.hall import World


def person(user: Any) -> dict[str, str]:
    return {
        "name": user.natural_person.real_name,
        "id_number": user.natural_person.id_number,
        "phone": user.phone,
    }


def stranger(n: int) -> dict[str, str]:
    return {
        "name": f"路人{n}",
        "id_number": make_id_number("340104", date(1970, 1, 1), 300 + n),
        "phone": f"1380000{n:04d}",
    }


def first_slot(world: World, day: date | None = None) -> AppointmentSlot:
    slots.materialise_slots(world.hall, days=14)
    rows = slots.available_slots(
        hall=world.hall, item=world.market_item, start=day or date(2026, 12, 7), days=14
    )
    return rows[0]


def book_for(world: World, user: Any, slot: AppointmentSlot, channel: str = "web", **extra: Any) -> Any:
    return appointments.book(
        slot=slot, item=world.market_item, applicant=user, channel=channel, **(person(user) | extra)
    )
