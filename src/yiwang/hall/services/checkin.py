"""签到 Check-in of an appointment at the kiosk, the front desk or by its owner: the person gets an
appointment-priority ticket in the category that serves the booked item."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import (
    Appointment,
    AppointmentStatus,
    BusinessCategory,
    Hall,
    QueueTicket,
    TicketSource,
)
from yiwang.hall.services.queue import take_ticket

EARLY_MINUTES = 60
CHANNELS = ("kiosk", "window", "mobile", "web")


def find_todays_appointment(
    *, hall: Hall, code: str = "", token: str = "", id_number: str = ""
) -> Appointment | None:
    """Today's booked appointment at ``hall`` by its code, its check-in token (QR) or ID number."""
    code, token, id_number = (
        (code or "").strip().upper(),
        (token or "").strip(),
        (id_number or "").strip().upper(),
    )
    if not (code or token or id_number):
        return None
    found = Appointment.objects.filter(
        hall=hall, slot__day=timezone.localdate(), status=AppointmentStatus.BOOKED
    ).select_related("slot", "item")
    if code:
        found = found.filter(code=code[:16])
    elif token:
        found = found.filter(checkin_token=token[:64])
    else:
        found = found.filter(id_number=id_number[:18])
    return found.order_by("slot__starts_at", "pk").first()


def category_for(appointment: Appointment) -> BusinessCategory | None:
    """The category whose items contain the item, else one of the item's implementing body, else
    the hall's general category (one served by a general window or serving every item)."""
    categories = BusinessCategory.objects.filter(hall_id=appointment.hall_id).order_by("sort_order", "prefix")
    by_item = categories.filter(items=appointment.item_id).first()
    if by_item is not None:
        return by_item
    by_body = categories.filter(organisations=appointment.item.implementing_body_id).first()
    if by_body is not None:
        return by_body
    return categories.filter(windows__is_general=True).distinct().first()


def check_in(*, appointment: Appointment, actor: Any = None, channel: str = "kiosk") -> QueueTicket:
    """签到取号 From 60 minutes before the slot until its end."""
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update()
            .select_related("slot", "item", "hall")
            .get(pk=appointment.pk)
        )
        if locked.status != AppointmentStatus.BOOKED:
            raise DomainError(
                HallErrorCode.INVALID_STATE,
                "该预约已签到、已办理或已取消",
                {"status": [locked.status]},
                status=409,
            )
        now = timezone.now()
        slot = locked.slot
        if now < slot.starts_at - timedelta(minutes=EARLY_MINUTES):
            raise DomainError(
                HallErrorCode.SLOT_UNAVAILABLE,
                f"请于预约时段开始前 {EARLY_MINUTES} 分钟内签到（预约时段 "
                f"{timezone.localtime(slot.starts_at):%m-%d %H:%M}）",
                {"slot": [slot.starts_at.isoformat()]},
                status=409,
            )
        if now > slot.ends_at:
            raise DomainError(
                HallErrorCode.SLOT_UNAVAILABLE,
                "预约时段已过，请重新预约或现场取号",
                {"slot": [slot.ends_at.isoformat()]},
                status=409,
            )
        category = category_for(locked)
        if category is None:
            raise DomainError(
                HallErrorCode.INVALID_STATE, "本大厅没有受理该事项的业务类别，请到咨询台", status=409
            )
        ticket = take_ticket(
            hall=locked.hall,
            category=category,
            source=TicketSource.APPOINTMENT,
            applicant=locked.applicant,
            id_number=locked.id_number,
            phone=locked.phone,
            appointment=locked,
            actor=actor,
        )
        locked.status = AppointmentStatus.CHECKED_IN
        locked.checked_in_at = now
        locked.save(update_fields=["status", "checked_in_at", "updated_at"])
        audit.record(
            "hall.appointment.checked_in",
            actor=actor,
            obj=locked,
            detail={"ticket": ticket.number, "channel": channel if channel in CHANNELS else "kiosk"},
        )
    return ticket
