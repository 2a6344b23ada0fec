"""大厅配置 The hall manager's set-up page: schedules (add → slots made; switch off → unbooked
future slots close, booked ones stay), closing and reopening a day, making slots now; managers only."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from yiwang.core.models import AuditEvent
from yiwang.hall.models import AppointmentSchedule, AppointmentSlot
from yiwang.hall.services import setup, slots
from yiwang.hall.tests.appt_helpers import book_for, first_slot
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db
URL = "/workbench/hall/setup/"


def test_the_manager_adds_a_schedule_and_its_slots_are_made(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    manager = logged_in(world.manager)
    with django_assert_max_num_queries(25):
        page = manager.get(URL)
    assert page.status_code == 200 and "综合受理窗口组" in page.content.decode()
    response = manager.post(
        f"{URL}schedules/",
        {
            "hall": str(world.hall.public_id),
            "group": str(world.group.public_id),
            "kind": "visit",
            "weekdays": ["6"],
            "start_time": "09:00",
            "end_time": "11:00",
            "slot_minutes": "60",
            "capacity": "3",
        },
    )
    assert response.status_code == 302
    saturday = AppointmentSchedule.objects.get(weekdays=[6])
    # Saturdays are not working days (unless made up): no slot from a Saturday-only schedule here
    assert not AppointmentSlot.objects.filter(schedule=saturday, day=date(2026, 12, 12)).exists()
    bad = manager.post(
        f"{URL}schedules/",
        {"hall": str(world.hall.public_id), "group": str(world.group.public_id), "start_time": "9点"},
    )
    assert bad.status_code == 400


def test_switching_a_schedule_off_closes_its_unbooked_future_slots(world: Any, frozen: Any) -> None:
    slots.materialise_slots(world.hall, days=7)
    booked = book_for(world, world.citizen, first_slot(world))
    manager = logged_in(world.manager)
    response = manager.post(f"{URL}schedules/{world.schedule.public_id}/", {"active": "0"})
    assert response.status_code == 302
    world.schedule.refresh_from_db()
    assert not world.schedule.is_active
    open_slots = AppointmentSlot.objects.filter(schedule=world.schedule, is_closed=False)
    assert list(open_slots.values_list("pk", flat=True)) == [booked.slot_id]
    assert AuditEvent.objects.filter(action="hall.schedule.switched").exists()


def test_closing_and_reopening_a_day(world: Any, frozen: Any) -> None:
    slots.materialise_slots(world.hall, days=7)
    manager = logged_in(world.manager)
    manager.post(f"{URL}close-day/", {"hall": str(world.hall.public_id), "day": "2026-12-08", "reopen": "0"})
    day = AppointmentSlot.objects.filter(day=date(2026, 12, 8))
    assert day.count() == day.filter(is_closed=True).count() > 0
    manager.post(f"{URL}close-day/", {"hall": str(world.hall.public_id), "day": "2026-12-08", "reopen": "1"})
    assert not day.filter(is_closed=True).exists()
    past = manager.post(f"{URL}close-day/", {"hall": str(world.hall.public_id), "day": "2026-12-01"})
    assert past.status_code == 400
    assert setup.close_day(world.hall, date(2026, 12, 9), actor=world.manager) > 0


def test_only_the_halls_managers_open_it(world: Any) -> None:
    assert logged_in(world.clerk).get(URL).status_code == 403
    assert (
        logged_in(world.manager).post(f"{URL}slots/", {"hall": str(world.hall.public_id)}).status_code == 302
    )
    assert AppointmentSlot.objects.exists()
