"""Test data of tickets (shared with the browser tests and the benchmark): the hotline centre and its
agent, two departments with clerks, a supervisor, two citizens, the default rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from yiwang.accounts.models import DataScope, StaffRoleAssignment, User
from yiwang.core.models import Organisation
from yiwang.testing.people import make_citizen, make_staff
from yiwang.testing.portal import make_department
from yiwang.tickets.services.defaults import install_defaults

# Friday 4 December 2026, 10:00 in Hefei: the tickets tests' "now" (a weekend follows).
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class World:
    centre: Organisation
    market: Organisation
    police: Organisation
    agent: User
    clerk: User
    police_clerk: User
    supervisor: User
    citizen: User
    citizen2: User


def make_world() -> World:
    centre = make_department("合肥市政务服务管理局", "市政务服务管理局")
    market = make_department("合肥市市场监督管理局", "市市场监管局")
    police = make_department("合肥市公安局", "市公安局")
    data = make_department("合肥市数据资源局", "市数据资源局")
    agent = make_staff(centre, "agent", ["hotline_agent"], "郭婷")
    supervisor = make_staff(data, "sup", ["supervisor"])
    StaffRoleAssignment.objects.filter(staff__user__in=[agent, supervisor]).update(scope=DataScope.REGION)
    world = World(
        centre=centre,
        market=market,
        police=police,
        agent=agent,
        clerk=make_staff(market, "clerk", ["window_clerk"]),
        police_clerk=make_staff(police, "clerk_ps", ["window_clerk"]),
        supervisor=supervisor,
        citizen=make_citizen("citizen", phone="13900000001"),
        citizen2=make_citizen("citizen2", phone="13900000002"),
    )
    install_defaults()
    return world
