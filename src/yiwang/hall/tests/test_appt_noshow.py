"""Reminders (once; the day before or two hours before a same-day booking), no-shows (after the
slot plus 15 minutes), three no-shows in 30 days → online booking blocked, appeal → lift/uphold."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from yiwang.core.errors import DomainError
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import Appointment, AppointmentSlot, AppointmentStatus, BlockStatus, BookingBlock
from yiwang.hall.services import appointments, blocks, slots
from yiwang.hall.tests.appt_helpers import book_for, first_slot

pytestmark = pytest.mark.django_db


def _slot_on(day_offset: int, index: int = 0) -> AppointmentSlot:
    rows = AppointmentSlot.objects.order_by("starts_at")
    day = rows.first().day + timedelta(days=day_offset)
    return rows.filter(day=day)[index]


def test_reminders_once_day_before_and_two_hours_same_day(world, frozen):
    first = first_slot(world)  # Monday 09:00
    today_late = _slot_on(0, 5)  # Monday 11:30
    tomorrow = _slot_on(1)
    later = _slot_on(2)
    a_today = book_for(world, world.citizen, today_late)
    a_tomorrow = book_for(world, world.citizen2, tomorrow)
    book_for(world, world.citizen2, later)
    assert first.pk != today_late.pk
    assert appointments.send_reminders() == 1  # tomorrow's only (today's starts in 3 h)
    assert appointments.send_reminders() == 0
    frozen.move_to(today_late.starts_at - timedelta(hours=1, minutes=59))
    assert appointments.send_reminders() == 1
    reminded = set(Appointment.objects.exclude(reminded_at=None).values_list("pk", flat=True))
    assert reminded == {a_today.pk, a_tomorrow.pk}


def _no_show(world, frozen, slot):
    appt = book_for(world, world.citizen, slot)
    frozen.move_to(slot.ends_at + timedelta(minutes=16))
    return appt


def test_no_show_after_grace_and_block_after_three(world, frozen, django_capture_on_commit_callbacks):
    slots.materialise_slots(world.hall, days=10)
    days = sorted(set(AppointmentSlot.objects.values_list("day", flat=True)))[:3]
    slot0 = AppointmentSlot.objects.filter(day=days[0]).order_by("starts_at").first()
    appt = book_for(world, world.citizen, slot0)
    frozen.move_to(slot0.ends_at + timedelta(minutes=10))
    assert appointments.mark_no_shows() == 0
    frozen.move_to(slot0.ends_at + timedelta(minutes=16))
    assert appointments.mark_no_shows() == 1
    appt.refresh_from_db()
    assert appt.status == AppointmentStatus.NO_SHOW
    for day in days[1:]:
        slot = AppointmentSlot.objects.filter(day=day).order_by("starts_at").first()
        _no_show(world, frozen, slot)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("hall_appointments_scan", stdout=io.StringIO())
    block = BookingBlock.objects.get()
    assert block.applicant_id == world.citizen.pk and len(block.no_show_codes) == 3
    assert (block.ends_on - block.starts_on).days == 29
    later = AppointmentSlot.objects.filter(day__gt=days[2]).order_by("starts_at").first()
    with pytest.raises(DomainError) as refused:
        book_for(world, world.citizen, later)
    assert refused.value.code == HallErrorCode.BOOKING_BLOCKED
    # the hotline may still book for the person
    appointments.book(
        slot=later,
        item=world.market_item,
        channel="hotline",
        booked_by=world.agent,
        name="张伟",
        id_number=world.citizen.natural_person.id_number,
        phone=world.citizen.phone,
    )
    from yiwang.accounts.models import InboxMessage

    assert InboxMessage.objects.filter(user=world.citizen, title="网上预约限制").exists()


def _block(world):
    return BookingBlock.objects.create(
        applicant=world.citizen,
        id_number=world.citizen.natural_person.id_number,
        hall=world.hall,
        starts_on=world_today(),
        ends_on=world_today() + timedelta(days=29),
        no_show_codes=["A", "B", "C"],
    )


def world_today():
    from django.utils import timezone

    return timezone.localdate()


def test_appeal_then_lift(world):
    block = _block(world)
    assert blocks.block_actions(block, world.citizen) == {"view", "appeal"}
    assert blocks.block_actions(block, world.citizen2) == set()
    with pytest.raises(DomainError) as refused:
        blocks.appeal_block(block=block, actor=world.citizen2, reason="x")
    assert refused.value.status == 404
    blocks.appeal_block(block=block, actor=world.citizen, reason="因病住院，附病历")
    block.refresh_from_db()
    assert block.status == BlockStatus.APPEALED
    with pytest.raises(DomainError) as refused:
        blocks.decide_appeal(block=block, actor=world.clerk, lift=True)
    assert refused.value.status in (403, 404)
    blocks.decide_appeal(block=block, actor=world.manager, lift=True, note="情况属实")
    block.refresh_from_db()
    assert block.status == BlockStatus.LIFTED and block.decided_by_id == world.manager.pk
    assert blocks.active_block(applicant=world.citizen) is None
    slot = first_slot(world)
    book_for(world, world.citizen, slot)


def test_appeal_upheld_keeps_blocking_and_expiry_by_date(world, frozen):
    block = _block(world)
    blocks.appeal_block(block=block, actor=world.citizen, reason="忘记了")
    blocks.decide_appeal(block=block, actor=world.manager, lift=False)
    block.refresh_from_db()
    assert block.status == BlockStatus.ACTIVE and block.decision == "upheld"
    assert "appeal" not in blocks.block_actions(block, world.citizen)
    assert blocks.active_block(id_number=world.citizen.natural_person.id_number) == block
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    frozen.move_to(
        datetime.combine(block.ends_on + timedelta(days=1), time(8), tzinfo=ZoneInfo("Asia/Shanghai"))
    )
    assert blocks.active_block(applicant=world.citizen) is None
    assert blocks.expire_blocks() == 1
    block.refresh_from_db()
    assert block.status == BlockStatus.EXPIRED
