"""取号 and 预约签到 at the kiosk: anybody takes a ticket (with the card's ID number or the account
when someone is logged in, 绿色通道 on request); check-in by booking code, QR token or ID card."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yiwang.hall.models import (
    Appointment,
    AppointmentStatus,
    QueueTicket,
    TicketPriority,
)
from yiwang.testing.hall import NOW, book_slot

from .conftest import KioskSetup, id_of


def _book(
    world: Any, *, id_number: str, applicant: Any = None, starts_at: datetime | None = None
) -> Appointment:
    starts_at = starts_at or NOW.replace(hour=9, minute=0)
    return book_slot(world, starts_at, applicant=applicant, name="张伟", id_number=id_number)


def test_anybody_takes_a_ticket(world: Any, kiosk: KioskSetup, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(12):
        page = kiosk.client.get("/kiosk/ticket/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "市场监管" in text and "公安户政" in text
    response = kiosk.client.post("/kiosk/ticket/", {"category": str(world.category_market.public_id)})
    assert response.status_code == 200
    ticket = QueueTicket.objects.get()
    assert ticket.number == "A001" and ticket.source == "kiosk" and ticket.applicant is None
    assert "A001" in response.content.decode()
    second = kiosk.client.post("/kiosk/ticket/", {"category": str(world.category_market.public_id)})
    assert "前面还有 1 人" in second.content.decode()


def test_logged_in_person_and_green_channel(world: Any, kiosk: KioskSetup) -> None:
    name, id_number = id_of(world.citizen)
    kiosk.post_card(kiosk.card(name=name, id_number=id_number))
    kiosk.client.post(
        "/kiosk/ticket/", {"category": str(world.category_police.public_id), "green_reason": "elderly"}
    )
    ticket = QueueTicket.objects.get()
    assert ticket.applicant == world.citizen
    assert ticket.id_number == id_number
    assert ticket.priority == TicketPriority.GREEN


def test_bad_category_or_reason_is_a_4xx(world: Any, kiosk: KioskSetup) -> None:
    assert kiosk.client.post("/kiosk/ticket/", {"category": "nope"}).status_code == 400
    assert (
        kiosk.client.post("/kiosk/ticket/", {"category": "00000000-0000-0000-0000-000000000001"}).status_code
        == 400
    )
    bad = kiosk.client.post(
        "/kiosk/ticket/", {"category": str(world.category_market.public_id), "green_reason": "vip"}
    )
    assert bad.status_code == 400
    assert not QueueTicket.objects.exists()


def test_check_in_by_code_and_token(world: Any, kiosk: KioskSetup) -> None:
    first = _book(world, id_number="110101199003074514")
    response = kiosk.client.post("/kiosk/checkin/", {"code": first.code.lower()})
    assert response.status_code == 200, response.content.decode()
    first.refresh_from_db()
    assert first.status == AppointmentStatus.CHECKED_IN
    ticket = QueueTicket.objects.get(appointment=first)
    assert ticket.priority == TicketPriority.APPOINTMENT
    assert ticket.number in response.content.decode()
    second = _book(world, id_number="110101199003074514", starts_at=NOW.replace(hour=9, minute=30))
    assert kiosk.client.post("/kiosk/checkin/", {"code": second.checkin_token}).status_code == 200
    again = kiosk.client.post("/kiosk/checkin/", {"code": first.code})
    assert again.status_code == 404  # no longer booked: not found among today's bookings
    assert kiosk.client.post("/kiosk/checkin/", {"code": ""}).status_code == 400


def test_check_in_by_id_card(world: Any, kiosk: KioskSetup) -> None:
    name, id_number = id_of(world.citizen)
    appointment = _book(world, id_number=id_number, applicant=world.citizen)
    kiosk.post_card(kiosk.card(name=name, id_number=id_number))
    page = kiosk.client.get("/kiosk/checkin/").content.decode()
    assert "kiosk-checkin-card" in page and id_number not in page  # masked
    response = kiosk.client.post("/kiosk/checkin/", {"use_card": "1"})
    assert response.status_code == 200
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN


def test_check_in_too_early_is_refused(world: Any, kiosk: KioskSetup) -> None:
    later = _book(world, id_number="110101199003074514", starts_at=NOW.replace(hour=11, minute=0))
    response = kiosk.client.post("/kiosk/checkin/", {"code": later.code})
    assert response.status_code == 409
    assert "签到" in response.content.decode()
