"""Pages: the booking block on the item guide, /my/appointments/ (book, detail with QR, cancel,
reschedule, appeal) and the workbench (list masked, book for a caller, door address unmasked and
logged, appeal decision); who may open what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.core.models import PersonalDataAccess
from yiwang.hall.models import Appointment, AppointmentSlot, BookingBlock
from yiwang.hall.services import slots
from yiwang.hall.tests.appt_helpers import book_for, first_slot, stranger
from yiwang.testing.fixtures import logged_in

pytestmark = pytest.mark.django_db


def test_guide_shows_booking_and_picker(world):
    slots.materialise_slots(world.hall, days=14)
    page = Client().get(f"/items/{world.market_item.public_id}/")
    assert page.status_code == 200 and "/my/appointments/book/?item=" in page.content.decode()
    anon = Client().get(f"/my/appointments/book/?item={world.market_item.public_id}", HTTP_HX_REQUEST="true")
    assert anon.status_code == 200 and "登录后预约" in anon.content.decode()
    citizen = logged_in(world.citizen)
    picker = citizen.get(f"/my/appointments/book/?item={world.market_item.public_id}", HTTP_HX_REQUEST="true")
    assert picker.status_code == 200 and 'name="slot"' in picker.content.decode()
    assert citizen.get(f"/my/appointments/book/?item={world.market_item.public_id}").status_code == 200
    assert Client().get(f"/my/appointments/book/?item={world.market_item.public_id}").status_code == 302


def test_citizen_books_sees_qr_reschedules_cancels(world):
    slot = first_slot(world)
    citizen = logged_in(world.citizen)
    res = citizen.post(
        "/my/appointments/book/", {"item": str(world.market_item.public_id), "slot": str(slot.public_id)}
    )
    assert res.status_code == 302
    a = Appointment.objects.get()
    page = citizen.get(res["Location"]).content.decode()
    assert a.code in page and "<svg" in page
    assert logged_in(world.citizen2).get(f"/my/appointments/{a.public_id}/").status_code == 404
    target = AppointmentSlot.objects.exclude(day=slot.day).order_by("starts_at").first()
    citizen.post(f"/my/appointments/{a.public_id}/reschedule/", {"slot": str(target.public_id)})
    a.refresh_from_db()
    assert a.slot_id == target.pk
    citizen.post(f"/my/appointments/{a.public_id}/cancel/", {"reason": "x"})
    a.refresh_from_db()
    assert a.status == "cancelled"
    assert a.code in citizen.get("/my/appointments/").content.decode()
    full = citizen.post(
        "/my/appointments/book/",
        {"item": str(world.market_item.public_id), "slot": "00000000-0000-4000-8000-000000000000"},
    )
    assert full.status_code == 404


def test_block_appeal_page_and_manager_decision(world):
    block = BookingBlock.objects.create(
        applicant=world.citizen,
        id_number=world.citizen.natural_person.id_number,
        hall=world.hall,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=29),
        no_show_codes=["A", "B", "C"],
    )
    citizen = logged_in(world.citizen)
    assert "提交申诉" in citizen.get("/my/appointments/").content.decode()
    citizen.post(f"/my/appointments/blocks/{block.public_id}/appeal/", {"reason": "因病"})
    block.refresh_from_db()
    assert block.status == "appealed"
    manager = logged_in(world.manager)
    assert "因病" in manager.get("/workbench/hall/appointments/").content.decode()
    assert logged_in(world.clerk).post(
        f"/workbench/hall/appointments/blocks/{block.public_id}/decision/", {"lift": "1"}
    ).status_code in (403, 404)
    manager.post(f"/workbench/hall/appointments/blocks/{block.public_id}/decision/", {"lift": "1"})
    block.refresh_from_db()
    assert block.status == "lifted"


def test_workbench_lists_masked_books_for_caller_and_logs_reads(world, django_assert_max_num_queries):
    slot = first_slot(world)
    book_for(world, world.citizen, slot)
    agent = logged_in(world.agent)
    res = agent.post(
        "/workbench/hall/appointments/book/",
        {"item": str(world.market_item.public_id), "slot": str(slot.public_id), **stranger(5)},
    )
    assert res.status_code == 302
    clerk = logged_in(world.clerk)
    with django_assert_max_num_queries(40):
        page = clerk.get("/workbench/hall/appointments/")
    html = page.content.decode()
    assert page.status_code == 200 and "路人5" not in html and "张伟" not in html
    mine = Appointment.objects.get(applicant=world.citizen)
    before = PersonalDataAccess.objects.count()
    detail = clerk.get(f"/workbench/hall/appointments/{mine.public_id}/?show=1").content.decode()
    assert world.citizen.natural_person.id_number in detail
    assert PersonalDataAccess.objects.count() > before
    assert clerk.get(f"/workbench/hall/appointments/?item={world.market_item.public_id}").status_code == 200
    assert logged_in(world.citizen).get("/workbench/hall/appointments/").status_code in (302, 403)
    assert logged_in(world.supervisor).get("/workbench/hall/appointments/").status_code == 403
