"""Reads of appointments: free slots for an item, bookings of a person or of a hall, blocks and
agency authorisations.  Each list is one query (plus the count) whatever its length."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from yiwang.accounts.models import AccountKind
from yiwang.accounts.personal_data import record_staff_reads
from yiwang.catalog.models import ServiceItem
from yiwang.core import audit, personal_data
from yiwang.core.masking import mask_address, mask_id_number, mask_name, mask_phone
from yiwang.core.personal_data import Read
from yiwang.hall.models import (
    AgencyAuthorisation,
    Appointment,
    AppointmentKind,
    AppointmentSlot,
    AppointmentStatus,
    BookingBlock,
    Hall,
    WindowGroup,
)

MAX_SLOT_DAYS = 31


def serving_groups(item: ServiceItem, hall: Hall | None = None) -> QuerySet[WindowGroup]:
    """Window groups one of whose active categories serves ``item`` (listed, or its department)."""
    served = Q(categories__items=item)
    if item.implementing_body_id:
        served |= Q(categories__organisations=item.implementing_body_id)
    rows = WindowGroup.objects.filter(served, categories__is_active=True)
    if hall is not None:
        rows = rows.filter(hall=hall)
    return rows


def group_serves(group_id: int, item: ServiceItem) -> bool:
    return serving_groups(item).filter(pk=group_id).exists()


def free_slots(
    *, hall: Hall, item: ServiceItem, start: date, days: int = 30, kind: str = AppointmentKind.VISIT
) -> list[AppointmentSlot]:
    """The open, future slots with a place left for ``item`` from ``start`` for ``days`` days: those
    of schedules for the item and those of window groups serving it (one query)."""
    days = max(1, min(int(days), MAX_SLOT_DAYS))
    groups = serving_groups(item, hall).values("pk")
    return list(
        AppointmentSlot.objects.filter(
            Q(item=item) | Q(item__isnull=True, window_group__in=groups),
            hall=hall,
            kind=kind,
            is_closed=False,
            day__gte=start,
            day__lt=start + timedelta(days=days),
            starts_at__gt=timezone.now(),
            booked__lt=F("capacity"),
        )
        .only(
            "pk",
            "public_id",
            "day",
            "starts_at",
            "ends_at",
            "capacity",
            "booked",
            "kind",
            "window_group_id",
            "item_id",
        )
        .order_by("starts_at", "pk")
    )


def slots_by_day(slots: list[AppointmentSlot]) -> dict[date, list[AppointmentSlot]]:
    out: dict[date, list[AppointmentSlot]] = {}
    for slot in slots:
        out.setdefault(slot.day, []).append(slot)
    return out


def active_halls() -> QuerySet[Hall]:
    return Hall.objects.filter(is_active=True).order_by("name")


def halls_for_item(item: ServiceItem) -> list[Hall]:
    """The active halls one of whose window groups serves ``item``."""
    ids = serving_groups(item).values("hall_id")
    return list(Hall.objects.filter(is_active=True, pk__in=ids).order_by("name"))


def _with_related(rows: QuerySet[Appointment]) -> QuerySet[Appointment]:
    return rows.select_related("slot", "hall", "item")


def my_appointments(user: Any) -> QuerySet[Appointment]:
    if not getattr(user, "is_authenticated", False):
        return Appointment.objects.none()
    return _with_related(Appointment.objects.filter(Q(applicant=user) | Q(booked_by=user))).order_by(
        "-slot__starts_at", "-pk"
    )


def hall_appointments(
    hall: Hall,
    *,
    day: date | None = None,
    day_to: date | None = None,
    status: str = "",
    kind: str = "",
    channel: str = "",
) -> QuerySet[Appointment]:
    rows = Appointment.objects.filter(hall=hall)
    if day is not None:
        rows = rows.filter(slot__day__gte=day)
    if day_to is not None:
        rows = rows.filter(slot__day__lte=day_to)
    if status:
        rows = rows.filter(status=status)
    if kind:
        rows = rows.filter(kind=kind)
    if channel:
        rows = rows.filter(channel=channel)
    return _with_related(rows).order_by("slot__starts_at", "pk")


def upcoming(hall: Hall, today: date | None = None) -> QuerySet[Appointment]:
    today = today or timezone.localdate()
    return hall_appointments(hall, day=today).filter(
        status__in=[AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN]
    )


def door_requests(hall: Hall, today: date | None = None) -> QuerySet[Appointment]:
    return upcoming(hall, today).filter(kind=AppointmentKind.DOOR_TO_DOOR)


def my_blocks(user: Any) -> QuerySet[BookingBlock]:
    if not getattr(user, "is_authenticated", False):
        return BookingBlock.objects.none()
    who = Q(applicant=user)
    person = getattr(user, "natural_person", None) if user.kind == AccountKind.NATURAL else None
    if person is not None:
        who |= Q(id_number_digest=person.id_number_digest)
    return BookingBlock.objects.filter(who).select_related("hall").order_by("-starts_on", "-pk")


def hall_blocks(hall: Hall, *, status: str = "") -> QuerySet[BookingBlock]:
    rows = BookingBlock.objects.filter(hall=hall)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("hall", "applicant").order_by("-appealed_at", "-starts_on", "-pk")


def hall_authorisations(hall: Hall) -> QuerySet[AgencyAuthorisation]:
    return (
        AgencyAuthorisation.objects.filter(hall=hall).select_related("agent").order_by("-created_at", "-pk")
    )


def authorisations_of_agent(user: Any) -> QuerySet[AgencyAuthorisation]:
    return (
        AgencyAuthorisation.objects.filter(agent=user).select_related("hall").order_by("-created_at", "-pk")
    )


def shown_person(user: Any, appointment: Appointment, *, unmask: bool = False) -> dict[str, str]:
    """The booking's name, ID number, phone and address as ``user`` sees them: in full for the
    person (and the booker); masked for staff unless ``unmask`` (door-to-door visit), every staff
    read recorded in the subject's access log (or the audit log for a caller without an account)."""
    full = {
        "name": appointment.name,
        "id_number": appointment.id_number,
        "phone": appointment.phone,
        "address": appointment.address,
    }
    if appointment.applicant_id == getattr(user, "pk", None) or (
        appointment.booked_by_id == getattr(user, "pk", None) and user.kind != AccountKind.STAFF
    ):
        return full
    fields = (personal_data.NAME, personal_data.ID_NUMBER, personal_data.PHONE) + (
        (personal_data.ADDRESS,) if appointment.address else ()
    )
    if appointment.applicant_id is not None:
        record_staff_reads(
            user,
            [
                Read(
                    appointment.applicant_id,
                    "hall.Appointment",
                    str(appointment.public_id),
                    appointment.code,
                    fields,
                )
            ],
            unmasked=unmask,
        )
    elif unmask:
        audit.record(
            "hall.appointment.personal_read", actor=user, obj=appointment, detail={"fields": list(fields)}
        )
    if unmask:
        return full
    return {
        "name": mask_name(appointment.name),
        "id_number": mask_id_number(appointment.id_number),
        "phone": mask_phone(appointment.phone),
        "address": mask_address(appointment.address),
    }
