"""大厅配置 Configuring a hall: the hall, its business categories, window groups, windows and the
appointment schedules.  Used by the demo loader, the tests and the hall manager's pages/API."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.catalog.models import ServiceItem
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import (
    AppointmentKind,
    AppointmentSchedule,
    AppointmentSlot,
    BusinessCategory,
    Hall,
    Window,
    WindowGroup,
)
from yiwang.hall.reads_queue import forget_layout

DEFAULT_HOURS = {str(day): [["09:00", "12:00"], ["13:00", "17:00"]] for day in range(1, 6)} | {
    "6": [["09:00", "12:00"]]
}


def create_hall(
    *,
    code: str,
    name: str,
    organisation: Organisation,
    region_code: str,
    address: str = "",
    opening_hours: dict[str, Any] | None = None,
    actor: Any = None,
) -> Hall:
    with transaction.atomic():
        hall, created = Hall.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "organisation": organisation,
                "region_code": region_code,
                "address": address,
                "opening_hours": opening_hours if opening_hours is not None else DEFAULT_HOURS,
            },
        )
        if created:
            audit.record("hall.hall.created", actor=actor, obj=hall, detail={"code": code})
    return hall


def add_category(
    hall: Hall,
    *,
    prefix: str,
    name: str,
    items: Iterable[ServiceItem] = (),
    organisations: Iterable[Organisation] = (),
    average_service_minutes: int = 10,
    sort_order: int = 0,
    actor: Any = None,
) -> BusinessCategory:
    prefix = prefix.strip().upper()
    if not (1 <= len(prefix) <= 2 and prefix.isalpha()):
        raise DomainError(HallErrorCode.INVALID_INPUT, "号码前缀应为一到两个字母", {"prefix": [prefix]})
    with transaction.atomic():
        category, created = BusinessCategory.objects.get_or_create(
            hall=hall,
            prefix=prefix,
            defaults={
                "name": name,
                "average_service_minutes": average_service_minutes,
                "sort_order": sort_order,
            },
        )
        category.items.add(*items)
        category.organisations.add(*organisations)
        if created:
            audit.record("hall.category.created", actor=actor, obj=category, detail={"prefix": prefix})
        transaction.on_commit(lambda: forget_layout(hall.code))
    return category


def add_window_group(
    hall: Hall, *, name: str, categories: Iterable[BusinessCategory] = (), actor: Any = None
) -> WindowGroup:
    with transaction.atomic():
        group, created = WindowGroup.objects.get_or_create(hall=hall, name=name)
        group.categories.add(*categories)
        if created:
            audit.record("hall.window_group.created", actor=actor, obj=group, detail={"name": name})
    return group


def add_window(
    hall: Hall,
    *,
    number: str,
    name: str = "",
    group: WindowGroup | None = None,
    is_general: bool = False,
    categories: Sequence[BusinessCategory] = (),
    actor: Any = None,
) -> Window:
    number = number.strip()
    if not number or len(number) > 8:
        raise DomainError(HallErrorCode.INVALID_INPUT, "窗口号应为 1–8 个字符", {"number": [number]})
    with transaction.atomic():
        window, created = Window.objects.get_or_create(
            hall=hall, number=number, defaults={"name": name, "group": group, "is_general": is_general}
        )
        window.categories.add(*categories)
        if created:
            audit.record("hall.window.created", actor=actor, obj=window, detail={"number": number})
        transaction.on_commit(lambda: forget_layout(hall.code))
    return window


def add_schedule(
    hall: Hall,
    *,
    window_group: WindowGroup,
    start_time: time,
    end_time: time,
    weekdays: Sequence[int] = (1, 2, 3, 4, 5),
    slot_minutes: int = 30,
    capacity: int = 4,
    item: ServiceItem | None = None,
    kind: str = AppointmentKind.VISIT,
    valid_from: date | None = None,
    valid_until: date | None = None,
    actor: Any = None,
) -> AppointmentSchedule:
    errors: dict[str, list[str]] = {}
    if not set(weekdays) <= set(range(1, 8)) or not weekdays:
        errors["weekdays"] = ["星期应为 1–7"]
    if end_time <= start_time:
        errors["end_time"] = ["结束时间应晚于开始时间"]
    if not 5 <= slot_minutes <= 240:
        errors["slot_minutes"] = ["时段长度应为 5–240 分钟"]
    if not 1 <= capacity <= 500:
        errors["capacity"] = ["每时段人数应为 1–500"]
    if errors:
        raise DomainError(HallErrorCode.INVALID_INPUT, "预约时段规则有误", errors)
    with transaction.atomic():
        schedule, created = AppointmentSchedule.objects.get_or_create(
            hall=hall,
            window_group=window_group,
            item=item,
            kind=kind,
            start_time=start_time,
            end_time=end_time,
            defaults={
                "weekdays": sorted(set(weekdays)),
                "slot_minutes": slot_minutes,
                "capacity": capacity,
                "valid_from": valid_from,
                "valid_until": valid_until,
            },
        )
        if created:
            audit.record("hall.schedule.created", actor=actor, obj=schedule, detail={"kind": kind})
    return schedule


def set_schedule_active(schedule: AppointmentSchedule, *, active: bool, actor: Any = None) -> int:
    """Switch a schedule on or off.  Off: no new slots are made from it and its future slots with
    nobody booked close (booked ones stay for the people who hold them); returns how many closed."""
    now = timezone.now()
    with transaction.atomic():
        locked = AppointmentSchedule.objects.select_for_update().get(pk=schedule.pk)
        locked.is_active = active
        locked.save(update_fields=["is_active", "updated_at"])
        closed = 0
        if not active:
            closed = AppointmentSlot.objects.filter(
                schedule=locked, starts_at__gt=now, booked=0, is_closed=False
            ).update(is_closed=True)
        audit.record(
            "hall.schedule.switched",
            actor=actor,
            obj=locked,
            detail={"active": active, "slots_closed": closed},
        )
    schedule.is_active = active
    return closed


def close_day(hall: Hall, day: date, *, actor: Any = None, reopen: bool = False) -> int:
    """临时闭厅 Close (or reopen) every slot of ``hall`` on ``day`` that nobody booked (e.g. a day
    the hall closes at short notice); bookings already made stay and the staff call the people.
    Returns how many slots changed."""
    if day < timezone.localdate():
        raise DomainError(HallErrorCode.INVALID_INPUT, "不能修改已过去的日期", {"day": [day.isoformat()]})
    with transaction.atomic():
        changed = AppointmentSlot.objects.filter(hall=hall, day=day, booked=0, is_closed=reopen).update(
            is_closed=not reopen
        )
        audit.record(
            "hall.day.reopened" if reopen else "hall.day.closed",
            actor=actor,
            obj=hall,
            detail={"day": day.isoformat(), "slots": changed},
        )
    return changed
