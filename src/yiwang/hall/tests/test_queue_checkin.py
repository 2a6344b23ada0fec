"""签到 Check-in of today's appointment: the time window, the category, the appointment priority."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from yiwang.core.errors import DomainError
from yiwang.hall.models import AppointmentStatus, TicketPriority, TicketSource
from yiwang.hall.services.checkin import check_in, find_todays_appointment
from yiwang.hall.tests.queue_helpers import book

TZ = ZoneInfo("Asia/Shanghai")


def test_find_by_code_token_or_id_number(world: Any) -> None:
    appointment = book(world, datetime(2026, 12, 7, 10, 0, tzinfo=TZ))
    tomorrow = book(world, datetime(2026, 12, 8, 10, 0, tzinfo=TZ))
    hall = world.hall
    assert find_todays_appointment(hall=hall, code=appointment.code.lower()) == appointment
    assert find_todays_appointment(hall=hall, token=appointment.checkin_token) == appointment
    assert find_todays_appointment(hall=hall, id_number="340104199001011234") == appointment
    assert find_todays_appointment(hall=hall, code=tomorrow.code) is None
    assert find_todays_appointment(hall=hall) is None


def test_check_in_window_of_time(world: Any, frozen: Any) -> None:
    appointment = book(world, datetime(2026, 12, 7, 10, 0, tzinfo=TZ))
    with pytest.raises(DomainError) as exc:  # 08:30: more than 60 minutes early
        check_in(appointment=appointment)
    assert exc.value.code == "hall_slot_unavailable" and "60" in exc.value.message
    frozen.move_to(datetime(2026, 12, 7, 9, 0, tzinfo=TZ))
    ticket = check_in(appointment=appointment, actor=world.citizen, channel="mobile")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN and appointment.checked_in_at is not None
    assert ticket.priority == TicketPriority.APPOINTMENT and ticket.source == TicketSource.APPOINTMENT
    assert ticket.category == world.category_market and ticket.number == "A001"
    assert ticket.applicant == world.citizen and ticket.appointment == appointment
    with pytest.raises(DomainError) as exc:
        check_in(appointment=appointment)
    assert exc.value.code == "hall_invalid_state"
    late = book(world, datetime(2026, 12, 7, 9, 0, tzinfo=TZ) - timedelta(hours=1), item=world.police_item)
    with pytest.raises(DomainError) as exc:  # 08:00–08:30 slot: over at 09:00
        frozen.move_to(datetime(2026, 12, 7, 9, 1, tzinfo=TZ))
        check_in(appointment=late)
    assert exc.value.code == "hall_slot_unavailable"


def test_category_by_department_or_general(world: Any, frozen: Any) -> None:
    frozen.move_to(datetime(2026, 12, 7, 9, 45, tzinfo=TZ))
    from yiwang.testing.portal import make_item

    other = make_item(world.police, name="户籍迁移", online_apply=False, materials=[])
    world.category_police.organisations.add(world.police)
    ticket = check_in(appointment=book(world, datetime(2026, 12, 7, 10, 0, tzinfo=TZ), item=other))
    assert ticket.category == world.category_police
    world.category_police.organisations.clear()
    world.window_general.categories.add(world.category_general)
    ticket = check_in(appointment=book(world, datetime(2026, 12, 7, 10, 0, tzinfo=TZ), item=other))
    assert ticket.category == world.category_general
