"""预约时段 Materialising the bookable slots of a hall's schedules, and finding the free ones.

A schedule's weekdays apply to working days of the calendar (:mod:`yiwang.core.calendar`): a
statutory holiday offers no slot even on a listed weekday, and a make-up workday (调休上班, a
Saturday or Sunday) counts as a working day for every schedule that opens on weekdays.  Slots are
created ahead by a daily job (``manage.py hall_slots``); creating them twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiwang.catalog.models import ServiceItem
from yiwang.core import audit
from yiwang.core.calendar import is_working_day
from yiwang.hall.models import AppointmentSchedule, AppointmentSlot, Hall
from yiwang.hall.reads_appointments import free_slots

MAX_DAYS = 62


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def offers_on(schedule: AppointmentSchedule, day: date) -> bool:
    """Does ``schedule`` take appointments on ``day``?"""
    if schedule.valid_from and day < schedule.valid_from:
        return False
    if schedule.valid_until and day > schedule.valid_until:
        return False
    if not is_working_day(day):
        return False
    weekdays = {int(d) for d in schedule.weekdays or []}
    if day.isoweekday() in weekdays:
        return True
    # 调休上班: a weekend day that is a working day counts for the schedules open on weekdays.
    return day.isoweekday() >= 6 and bool(weekdays & {1, 2, 3, 4, 5})


def _starts(schedule: AppointmentSchedule, day: date) -> Iterator[tuple[datetime, datetime]]:
    zone = local_zone()
    step = timedelta(minutes=max(5, schedule.slot_minutes))
    start = datetime.combine(day, schedule.start_time, tzinfo=zone)
    close = datetime.combine(day, schedule.end_time, tzinfo=zone)
    while start + step <= close:
        yield start, start + step
        start += step


def materialise_slots(hall: Hall, days: int = 30, today: date | None = None, *, actor: object = None) -> int:
    """Create the slots of ``hall``'s active schedules for ``today`` and the next ``days`` days;
    returns how many were new.  Slots already started are not created."""
    days = max(0, min(int(days), MAX_DAYS))
    now = timezone.now()
    first = today or timezone.localdate(now)
    schedules = list(
        AppointmentSchedule.objects.filter(hall=hall, is_active=True).select_related("window_group")
    )
    rows: list[AppointmentSlot] = []
    for offset in range(days + 1):
        day = first + timedelta(days=offset)
        for schedule in schedules:
            if not offers_on(schedule, day):
                continue
            for starts_at, ends_at in _starts(schedule, day):
                if starts_at <= now:
                    continue
                rows.append(
                    AppointmentSlot(
                        schedule=schedule,
                        hall=hall,
                        window_group_id=schedule.window_group_id,
                        item_id=schedule.item_id,
                        kind=schedule.kind,
                        day=day,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        capacity=schedule.capacity,
                    )
                )
    if not rows:
        return 0
    with transaction.atomic():
        before = AppointmentSlot.objects.filter(hall=hall, day__gte=first).count()
        AppointmentSlot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        created = AppointmentSlot.objects.filter(hall=hall, day__gte=first).count() - before
        if created:
            audit.record(
                "hall.slots.materialised",
                actor=actor,
                obj=hall,
                detail={"from": first.isoformat(), "days": days, "created": created},
            )
    return created


def available_slots(
    *, hall: Hall, item: ServiceItem, start: date, days: int = 30, kind: str = "visit"
) -> list[AppointmentSlot]:
    """The open slots with places left for ``item`` (see :func:`yiwang.hall.reads_appointments.free_slots`)."""
    return free_slots(hall=hall, item=item, start=start, days=days, kind=kind)
