"""Test data of knowledge (shared with the browser test): a department with the 个体工商户 item,
editors, a reviewer, a citizen, the default FAQs and the synced guide entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from yiwang.accounts.models import User
from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation
from yiwang.knowledge.services import install_defaults, sync_guides
from yiwang.testing.portal import make_citizen, make_department, make_item, make_staff

# Monday 21 September 2026, 10:00 in Hefei.
NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@dataclass
class World:
    department: Organisation
    item: ServiceItem
    other_item: ServiceItem
    citizen: User
    editor: User  # 12345 热线坐席: writes entries, may not review
    reviewer: User  # 事项管理员
    reviewer2: User
    clerk: User  # a window clerk: no access to the knowledge base


def make_world(*, seed: bool = True) -> World:
    department = make_department()
    world = World(
        department=department,
        item=make_item(department, name="个体工商户设立登记", keywords="个体户 开店"),
        other_item=make_item(department, name="食品经营许可证核发", keywords="餐饮 开饭店"),
        citizen=make_citizen("citizen"),
        editor=make_staff(department, "agent1", ["hotline_agent"]),
        reviewer=make_staff(department, "manager1", ["service_manager"]),
        reviewer2=make_staff(department, "manager2", ["service_manager"]),
        clerk=make_staff(department, "clerk1", ["window_clerk"]),
    )
    if seed:
        install_defaults()
        sync_guides()
    return world
