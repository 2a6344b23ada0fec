"""The hall's personal data is encrypted at rest: the booking's name, ID number, phone and
door-to-door address, the no-show block's and the queue ticket's ID number and phone, and the agency
authorisation's principal; the keyed digests find them without the plain value."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from yiwang.hall.models import AgencyAuthorisation, Appointment, BookingBlock, QueueTicket
from yiwang.hall.services import agency, queue
from yiwang.testing.hall import book_slot
from yiwang.testing.portal import pdf_upload

pytestmark = pytest.mark.django_db
ID_NUMBER = "11010519491231002X"


def _raw(model: Any, pk: int, column: str) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def _encrypted(instance: Any, *fields: str) -> None:
    for name in fields:
        plain = str(getattr(instance, name))
        raw = _raw(type(instance), instance.pk, instance._meta.get_field(name).column)
        assert plain and raw.startswith("yw1$s4$"), (type(instance).__name__, name, raw)
        assert plain not in raw and plain[-4:] not in raw, (type(instance).__name__, name)


def test_the_halls_personal_columns_hold_ciphertext(world: Any) -> None:
    starts = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    booking = book_slot(world, starts, name="王芳", id_number=ID_NUMBER)
    booking.address = "合肥市蜀山区长江西路 100 号"
    booking.save(update_fields=["address"])
    _encrypted(Appointment.objects.get(pk=booking.pk), "name", "id_number", "phone", "address")
    assert Appointment.objects.filter(id_number=ID_NUMBER).get().pk == booking.pk

    block = BookingBlock.objects.create(
        id_number=ID_NUMBER, starts_on=date(2026, 12, 7), ends_on=date(2027, 1, 6), hall=world.hall
    )
    _encrypted(BookingBlock.objects.get(pk=block.pk), "id_number")

    ticket = queue.take_ticket(
        hall=world.hall,
        category=world.category_market,
        source="kiosk",
        id_number=ID_NUMBER,
        phone="13900001111",
    )
    _encrypted(QueueTicket.objects.get(pk=ticket.pk), "id_number", "phone")

    authorisation = agency.record_authorisation(
        recorded_by=world.clerk,
        hall=world.hall,
        kind="help",
        principal_name="王芳",
        principal_id_number=ID_NUMBER,
        principal_phone="13900001111",
        agent=world.police_clerk,
        valid_from=date(2026, 12, 7),
        valid_until=date(2026, 12, 7) + timedelta(days=30),
        evidence=pdf_upload("授权书.pdf"),
    )
    _encrypted(
        AgencyAuthorisation.objects.get(pk=authorisation.pk),
        "principal_name",
        "principal_id_number",
        "principal_phone",
    )
