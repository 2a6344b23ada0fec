"""Test data of the hall (shared by the hall and kiosk tests, the browser tests and the benchmark):
the Hefei service centre with a general window and two department windows, categories, a morning
and afternoon appointment schedule, clerks, a manager, a hotline agent and two citizens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from yiwang.accounts.models import DataScope, StaffRoleAssignment, User
from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation
from yiwang.hall.models import (
    Appointment,
    AppointmentChannel,
    AppointmentSchedule,
    AppointmentSlot,
    BusinessCategory,
    Hall,
    Window,
    WindowGroup,
)
from yiwang.hall.services import setup
from yiwang.testing.portal import make_citizen, make_department, make_item, make_staff

# Monday 7 December 2026, 08:30 in Hefei: the hall tests' "now" (before the hall opens at 09:00).
NOW = datetime(2026, 12, 7, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class World:
    centre: Organisation
    market: Organisation
    police: Organisation
    hall: Hall
    market_item: ServiceItem  # 企业设立登记, online and at the window, appointments supported
    police_item: ServiceItem  # 居民身份证换领, window only, appointments supported
    category_market: BusinessCategory  # A 市场监管
    category_police: BusinessCategory  # B 公安户政
    category_general: BusinessCategory  # C 综合受理 (every item of the hall)
    group: WindowGroup  # 综合受理窗口组 (all three categories)
    window_general: Window  # 01 综合窗口
    window_market: Window  # 02 市场监管窗口
    window_police: Window  # 03 公安户政窗口
    schedule: AppointmentSchedule  # Mon–Fri 09:00–12:00, 30-minute slots, 2 per slot
    clerk: User  # 李娜, window clerk of 市场监管局
    general_clerk: User  # 综合窗口 clerk of the service centre
    police_clerk: User
    manager: User  # service manager (hall manager)
    agent: User  # 12345 hotline agent (books for callers)
    supervisor: User
    citizen: User
    citizen2: User


def make_world() -> World:
    centre = make_department("合肥市政务服务管理局", "市政务服务管理局")
    market = make_department("合肥市市场监督管理局", "市市场监管局")
    police = make_department("合肥市公安局", "市公安局")
    data = make_department("合肥市数据资源局", "市数据资源局")
    market_item = make_item(market, appointment_supported=True)
    police_item = make_item(
        police, name="居民身份证换领", online_apply=False, appointment_supported=True, materials=[]
    )
    hall = setup.create_hall(
        code="hefei",
        name="合肥市政务服务中心",
        organisation=centre,
        region_code="340100",
        address="合肥市滨湖新区南京路2588号",
    )
    cat_a = setup.add_category(hall, prefix="A", name="市场监管", items=[market_item], sort_order=1)
    cat_b = setup.add_category(hall, prefix="B", name="公安户政", items=[police_item], sort_order=2)
    cat_c = setup.add_category(
        hall, prefix="C", name="综合受理", items=[market_item, police_item], sort_order=3
    )
    group = setup.add_window_group(hall, name="综合受理窗口组", categories=[cat_a, cat_b, cat_c])
    w1 = setup.add_window(hall, number="01", name="综合窗口", group=group, is_general=True)
    w2 = setup.add_window(hall, number="02", name="市场监管窗口", group=group, categories=[cat_a])
    w3 = setup.add_window(hall, number="03", name="公安户政窗口", group=group, categories=[cat_b])
    schedule = setup.add_schedule(
        hall, window_group=group, start_time=time(9), end_time=time(12), slot_minutes=30, capacity=2
    )
    agent = make_staff(centre, "agent", ["hotline_agent"], "郭婷")
    supervisor = make_staff(data, "sup", ["supervisor"])
    StaffRoleAssignment.objects.filter(staff__user__in=[agent, supervisor]).update(scope=DataScope.REGION)
    return World(
        centre=centre,
        market=market,
        police=police,
        hall=hall,
        market_item=market_item,
        police_item=police_item,
        category_market=cat_a,
        category_police=cat_b,
        category_general=cat_c,
        group=group,
        window_general=w1,
        window_market=w2,
        window_police=w3,
        schedule=schedule,
        clerk=make_staff(market, "clerk", ["window_clerk"], "李娜"),
        general_clerk=make_staff(centre, "clerk_zh", ["window_clerk"], "吴倩"),
        police_clerk=make_staff(police, "clerk_ps", ["window_clerk"], "赵敏"),
        manager=make_staff(data, "manager", ["service_manager"], "刘洋"),
        agent=agent,
        supervisor=supervisor,
        citizen=make_citizen("citizen"),
        citizen2=make_citizen("citizen2", real_name="李明"),
    )


def book_slot(
    world: World,
    starts_at: datetime,
    *,
    item: ServiceItem | None = None,
    applicant: User | None = None,
    name: str = "张三",
    id_number: str = "340104199001011234",
) -> Appointment:
    """A booking written directly (no services): the slot of the world's schedule starting at
    ``starts_at`` (made when missing, one place of two taken) for ``item`` (the market item)."""
    slot, _ = AppointmentSlot.objects.get_or_create(
        schedule=world.schedule,
        starts_at=starts_at,
        defaults={
            "hall": world.hall,
            "window_group": world.group,
            "day": starts_at.date(),
            "ends_at": starts_at + timedelta(minutes=30),
            "capacity": 2,
            "booked": 1,
        },
    )
    return Appointment.objects.create(
        code=secrets.token_hex(4).upper(),
        hall=world.hall,
        slot=slot,
        item=item or world.market_item,
        channel=AppointmentChannel.WEB,
        applicant=applicant,
        name=name,
        id_number=id_number,
        phone="13800000001",
        checkin_token=secrets.token_urlsafe(16),
    )
