"""演示大厅 The demo's service hall: 合肥市政务服务中心 with a business category per department that has published items, a
general category (综合受理) for every item that takes appointments, three general windows and one
window per department, the appointment schedules (weekday mornings and afternoons; door-to-door
service on Tuesday and Thursday afternoons) and the slots of the next 30 days.  Idempotent."""

from __future__ import annotations

from datetime import time

from yiwang.accounts.models import User
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.models import Organisation
from yiwang.demo.content.common import HALL, HALL_ADDRESS
from yiwang.hall.models import AppointmentKind, Hall
from yiwang.hall.services import setup
from yiwang.hall.services.slots import materialise_slots

HALL_CODE = "hefei"
GENERAL_PREFIX = "Z"
PREFIXES = "ABCDEFGHJKLMNPQRSTUVWXY"  # one per department with published items (no I, O: read as 1, 0)


def load_hall_demo() -> Hall:
    centre = Organisation.objects.get(name="合肥市政务服务管理局")
    admin = User.objects.filter(username="admin").first()
    hall = setup.create_hall(
        code=HALL_CODE,
        name=HALL,
        organisation=centre,
        region_code=centre.region.code,
        address=HALL_ADDRESS,
        actor=admin,
    )
    published = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, revision_of__isnull=True)
    categories = []
    departments = (
        Organisation.objects.filter(pk__in=published.values("implementing_body")).exclude(pk=centre.pk)
    ).order_by("name")
    for order, (organisation, prefix) in enumerate(zip(departments, PREFIXES, strict=False), start=1):
        name = organisation.short_name.removeprefix("市") or organisation.name
        items = list(published.filter(implementing_body=organisation))
        categories.append(
            setup.add_category(
                hall,
                prefix=prefix,
                name=name,
                items=items,
                organisations=[organisation],
                sort_order=order,
                actor=admin,
            )
        )
    general = setup.add_category(
        hall,
        prefix=GENERAL_PREFIX,
        name="综合受理",
        items=list(published.filter(appointment_supported=True)),
        sort_order=99,
        actor=admin,
    )
    group = setup.add_window_group(
        hall, name="综合受理窗口组", categories=[*categories, general], actor=admin
    )
    for number in ("01", "02", "03"):
        setup.add_window(hall, number=number, name="综合窗口", group=group, is_general=True, actor=admin)
    for index, category in enumerate(categories, start=11):
        setup.add_window(
            hall,
            number=str(index),
            name=f"{category.name}窗口",
            group=group,
            categories=[category],
            actor=admin,
        )
    for start, end in ((time(9), time(12)), (time(13), time(17))):
        setup.add_schedule(
            hall,
            window_group=group,
            start_time=start,
            end_time=end,
            slot_minutes=30,
            capacity=6,
            actor=admin,
        )
    setup.add_schedule(
        hall,
        window_group=group,
        start_time=time(14),
        end_time=time(17),
        weekdays=(2, 4),
        slot_minutes=60,
        capacity=1,
        kind=AppointmentKind.DOOR_TO_DOOR,
        actor=admin,
    )
    materialise_slots(hall, days=30)
    return hall
