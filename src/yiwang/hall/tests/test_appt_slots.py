"""Slots: materialised from schedules on working days (holidays skipped, make-up workdays kept),
idempotent, valid_from/until honoured, past slots not offered, the free-slot read bounded."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.utils import timezone

from yiwang.core.calendar import clear_calendar_cache
from yiwang.core.models import CalendarDay, CalendarDayKind
from yiwang.hall.models import AppointmentSlot
from yiwang.hall.services import setup, slots

pytestmark = pytest.mark.django_db


def test_materialise_is_idempotent_and_skips_weekends_and_past(world):
    created = slots.materialise_slots(world.hall, days=6)  # Mon 7 … Sun 13 December
    assert created == 5 * 6  # Mon–Fri, 6 half-hour slots 09–12
    assert slots.materialise_slots(world.hall, days=6) == 0
    days = set(AppointmentSlot.objects.values_list("day", flat=True))
    assert days == {date(2026, 12, d) for d in range(7, 12)}


def test_started_slots_are_not_created(world, frozen):
    frozen.move_to("2026-12-07 10:05 +08:00")
    slots.materialise_slots(world.hall, days=0)
    starts = sorted(timezone.localtime(s.starts_at).strftime("%H:%M") for s in AppointmentSlot.objects.all())
    assert starts == ["10:30", "11:00", "11:30"]


def test_holiday_skipped_and_makeup_workday_kept(world):
    CalendarDay.objects.create(date=date(2026, 12, 9), kind=CalendarDayKind.HOLIDAY, name="测试假日")
    CalendarDay.objects.create(date=date(2026, 12, 12), kind=CalendarDayKind.MAKEUP_WORKDAY, name="调休")
    clear_calendar_cache()
    slots.materialise_slots(world.hall, days=6)
    days = set(AppointmentSlot.objects.values_list("day", flat=True))
    assert date(2026, 12, 9) not in days
    assert date(2026, 12, 12) in days  # Saturday make-up workday
    assert date(2026, 12, 13) not in days


def test_valid_from_and_until(world):
    world.schedule.is_active = False
    world.schedule.save(update_fields=["is_active"])
    sched = setup.add_schedule(
        world.hall,
        window_group=world.group,
        start_time=time(14),
        end_time=time(15),
        slot_minutes=60,
        capacity=1,
    )
    sched.valid_from, sched.valid_until = date(2026, 12, 8), date(2026, 12, 9)
    sched.save(update_fields=["valid_from", "valid_until"])
    slots.materialise_slots(world.hall, days=10)
    assert sorted(AppointmentSlot.objects.values_list("day", flat=True)) == [
        date(2026, 12, 8),
        date(2026, 12, 9),
    ]


def test_available_slots_filter_item_kind_capacity(world, django_assert_max_num_queries):
    slots.materialise_slots(world.hall, days=30)
    full = AppointmentSlot.objects.order_by("starts_at").first()
    full.booked = full.capacity
    full.save(update_fields=["booked"])
    with django_assert_max_num_queries(2):
        rows = slots.available_slots(
            hall=world.hall, item=world.market_item, start=date(2026, 12, 7), days=30
        )
    assert full.pk not in {s.pk for s in rows} and len(rows) > 100
    assert (
        slots.available_slots(hall=world.hall, item=world.market_item, start=date(2026, 12, 7), kind="door")
        == []
    )
    # a schedule for another item only does not offer its slots for this item
    other = setup.add_schedule(
        world.hall,
        window_group=world.group,
        start_time=time(14),
        end_time=time(15),
        slot_minutes=60,
        capacity=1,
        item=world.police_item,
    )
    slots.materialise_slots(world.hall, days=3)
    rows = slots.available_slots(hall=world.hall, item=world.market_item, start=date(2026, 12, 7), days=3)
    assert other.pk not in {s.schedule_id for s in rows}
    police = slots.available_slots(hall=world.hall, item=world.police_item, start=date(2026, 12, 7), days=3)
    assert other.pk in {s.schedule_id for s in police}


def test_item_not_served_gets_nothing(world):
    from yiwang.testing.portal import make_department, make_item

    item = make_item(make_department("合肥市教育局", "市教育局"), appointment_supported=True)
    slots.materialise_slots(world.hall, days=3)
    assert slots.available_slots(hall=world.hall, item=item, start=date(2026, 12, 7), days=3) == []
