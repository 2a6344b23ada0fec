"""Booking, cancelling and rescheduling: validation, capacity (the last place taken twice → one
SLOT_FULL), duplicates, who may act, the message and SMS after commit."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.accounts.models import InboxMessage
from yiwang.core.errors import DomainError
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import AppointmentSlot, AppointmentStatus
from yiwang.hall.services import appointments, slots
from yiwang.hall.tests.appt_helpers import book_for, first_slot, person, stranger

pytestmark = pytest.mark.django_db


def test_book_takes_a_place_and_tells_the_person(world, django_capture_on_commit_callbacks):
    slot = first_slot(world)
    with django_capture_on_commit_callbacks(execute=True):
        appt = book_for(world, world.citizen, slot)
    slot.refresh_from_db()
    assert slot.booked == 1 and appt.status == AppointmentStatus.BOOKED
    assert len(appt.code) == 8 and appointments.normalise_code(appt.code.lower()) == appt.code
    assert appt.checkin_token and appt.hall_id == world.hall.pk
    msg = InboxMessage.objects.get(user=world.citizen)
    assert appt.code in msg.body and world.hall.name in msg.body


def test_last_place_twice_gives_one_slot_full(world):
    slot = first_slot(world)
    book_for(world, world.citizen, slot)
    appointments.book(
        slot=slot, item=world.market_item, channel="hotline", booked_by=world.agent, **stranger(1)
    )
    with pytest.raises(DomainError) as refused:
        appointments.book(
            slot=slot, item=world.market_item, channel="hotline", booked_by=world.agent, **stranger(2)
        )
    assert refused.value.code == HallErrorCode.SLOT_FULL
    slot.refresh_from_db()
    assert slot.booked == slot.capacity == 2


@pytest.mark.parametrize(
    ("field", "value"), [("id_number", "340104199001011234"), ("phone", "12345"), ("name", " ")]
)
def test_invalid_person_refused(world, field, value):
    slot = first_slot(world)
    with pytest.raises(DomainError) as refused:
        book_for(world, world.citizen, slot, **{field: value})
    assert refused.value.code == HallErrorCode.INVALID_INPUT and field in refused.value.fields


def test_same_person_same_day_refused(world):
    slot = first_slot(world)
    book_for(world, world.citizen, slot)
    later = AppointmentSlot.objects.filter(day=slot.day).exclude(pk=slot.pk).first()
    with pytest.raises(DomainError) as refused:
        book_for(world, world.citizen, later)
    assert refused.value.code == HallErrorCode.DUPLICATE_BOOKING


def test_item_not_served_and_started_slot_refused(world, frozen):
    from yiwang.testing.portal import make_department, make_item

    slot = first_slot(world)
    other = make_item(make_department("合肥市教育局", "市教育局"), appointment_supported=True)
    with pytest.raises(DomainError) as refused:
        appointments.book(
            slot=slot, item=other, applicant=world.citizen, channel="web", **person(world.citizen)
        )
    assert refused.value.code == HallErrorCode.SLOT_UNAVAILABLE
    frozen.move_to(slot.starts_at)
    with pytest.raises(DomainError) as refused:
        book_for(world, world.citizen, slot)
    assert refused.value.code == HallErrorCode.SLOT_UNAVAILABLE


def test_cancel_frees_the_place_and_only_before_start(world, frozen):
    slot = first_slot(world)
    appt = book_for(world, world.citizen, slot)
    assert appointments.allowed_actions(appt, world.citizen2) == set()
    with pytest.raises(DomainError) as refused:
        appointments.cancel(appointment=appt, actor=world.citizen2)
    assert refused.value.status == 404
    appointments.cancel(appointment=appt, actor=world.citizen, reason="有事")
    slot.refresh_from_db()
    appt.refresh_from_db()
    assert slot.booked == 0 and appt.status == AppointmentStatus.CANCELLED
    again = book_for(world, world.citizen, slot)
    frozen.move_to(slot.starts_at)
    assert "cancel" not in appointments.allowed_actions(again, world.citizen)
    with pytest.raises(DomainError) as refused:
        appointments.cancel(appointment=again, actor=world.clerk)
    assert refused.value.code == HallErrorCode.INVALID_STATE


def test_staff_and_agent_may_cancel(world):
    slot = first_slot(world)
    appt = book_for(world, world.citizen, slot)
    assert {"cancel", "reschedule", "read_personal"} <= appointments.allowed_actions(appt, world.clerk)
    assert "cancel" in appointments.allowed_actions(appt, world.agent)
    appointments.cancel(appointment=appt, actor=world.manager)


def test_reschedule_moves_the_place(world):
    slot = first_slot(world)
    appt = book_for(world, world.citizen, slot)
    target = AppointmentSlot.objects.filter(day=date(2026, 12, 8)).order_by("starts_at").first()
    appointments.reschedule(appointment=appt, slot=target, actor=world.citizen)
    slot.refresh_from_db()
    target.refresh_from_db()
    appt.refresh_from_db()
    assert (slot.booked, target.booked, appt.slot_id, appt.reschedule_count) == (0, 1, target.pk, 1)


def test_reschedule_to_full_slot_keeps_the_old_place(world):
    slot = first_slot(world)
    appt = book_for(world, world.citizen, slot)
    target = AppointmentSlot.objects.filter(day=date(2026, 12, 8)).order_by("starts_at").first()
    for n in range(target.capacity):
        appointments.book(
            slot=target, item=world.market_item, channel="window", booked_by=world.clerk, **stranger(n)
        )
    with pytest.raises(DomainError) as refused:
        appointments.reschedule(appointment=appt, slot=target, actor=world.citizen)
    assert refused.value.code == HallErrorCode.SLOT_FULL
    slot.refresh_from_db()
    appt.refresh_from_db()
    assert slot.booked == 1 and appt.slot_id == slot.pk


def test_door_to_door_needs_address(world):
    from datetime import time

    from yiwang.hall.services import setup

    setup.add_schedule(
        world.hall,
        window_group=world.group,
        start_time=time(14),
        end_time=time(16),
        slot_minutes=60,
        capacity=1,
        kind="door",
    )
    slots.materialise_slots(world.hall, days=3)
    door = slots.available_slots(
        hall=world.hall, item=world.market_item, start=date(2026, 12, 7), kind="door"
    )[0]
    with pytest.raises(DomainError) as refused:
        book_for(world, world.citizen, door, kind="door")
    assert "address" in refused.value.fields
    appt = book_for(world, world.citizen, door, kind="door", address="合肥市蜀山区长江西路 1 号")
    assert appt.kind == "door" and appt.address.startswith("合肥市")
    visit = first_slot(world)
    with pytest.raises(DomainError) as refused:
        book_for(world, world.citizen2, visit, kind="door", address="x")
    assert refused.value.code == HallErrorCode.SLOT_UNAVAILABLE


@given(st.text(max_size=12))
def test_normalise_code_accepts_only_codes(raw):
    code = appointments.normalise_code(raw)
    assert code == "" or (len(code) == 8 and set(code) <= set(appointments.CODE_ALPHABET))


@given(st.text(alphabet=appointments.CODE_ALPHABET, min_size=8, max_size=8))
def test_normalise_code_round_trip(code):
    assert appointments.normalise_code(f" {code[:4].lower()}-{code[4:]} ") == code
