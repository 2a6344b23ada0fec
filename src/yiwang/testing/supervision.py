"""Test data of supervision (shared with the browser tests): cases written straight to the tables (no workflow), staff, rules."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from yiwang.accounts.models import DataScope, StaffRoleAssignment, User
from yiwang.cases.models import Case, CaseStatus
from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation, Region, RegionLevel
from yiwang.supervision.models import SupervisionRule
from yiwang.supervision.services import install_defaults
from yiwang.testing.portal import make_citizen, make_department, make_item, make_region, make_staff

# Monday 21 September 2026, 10:00 in Hefei: the supervision tests' "now".
NOW = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

_serial = itertools.count(1)


@dataclass
class World:
    department: Organisation
    other_department: Organisation
    far_department: Organisation  # in another city: outside the supervisor's region
    item: ServiceItem
    far_item: ServiceItem
    citizen: User
    handler: User
    approver: User
    clerk: User
    other_clerk: User
    far_clerk: User
    supervisor: User


def make_far_department() -> Organisation:
    province = make_region().parent
    wuhu, _ = Region.objects.get_or_create(
        code="3402",
        defaults={
            "full_code": "340200000000",
            "name": "芜湖市",
            "level": RegionLevel.CITY,
            "parent": province,
        },
    )
    org = make_department("芜湖市市场监督管理局", "芜湖市场监管局")
    org.region = wuhu
    org.save(update_fields=["region"])
    return org


def make_supervisor(org: Organisation, username: str = "sup") -> User:
    user = make_staff(org, username, ["supervisor"])
    StaffRoleAssignment.objects.filter(staff__user=user).update(scope=DataScope.REGION)
    return user


def make_world() -> World:
    department = make_department()
    other = make_department("合肥市公安局", "市公安局")
    far = make_far_department()
    data = make_department("合肥市数据资源局", "市数据资源局")
    return World(
        department=department,
        other_department=other,
        far_department=far,
        item=make_item(department),
        far_item=make_item(far, name="芜湖事项"),
        citizen=make_citizen("citizen"),
        handler=make_staff(department, "handler1", ["handler"]),
        approver=make_staff(department, "approver1", ["approver"]),
        clerk=make_staff(department, "clerk1", ["window_clerk"]),
        other_clerk=make_staff(other, "clerk2", ["window_clerk"]),
        far_clerk=make_staff(far, "clerk3", ["window_clerk"]),
        supervisor=make_supervisor(data),
    )


def make_case(
    item: ServiceItem,
    applicant: User,
    *,
    status: str = CaseStatus.ACCEPTED,
    submitted_at: datetime,
    accepted_at: datetime | None = None,
    due_date: date | None = None,
    completed_at: datetime | None = None,
    **extra: Any,
) -> Case:
    n = next(_serial)
    return Case.objects.create(
        number=f"{item.implementation_code}20260901{n:04d}",
        item=item,
        item_version=item.version if hasattr(item, "version") else 1,
        item_snapshot={},
        handling_organisation=item.implementing_body,
        applicant=applicant,
        applicant_name="张伟",
        applicant_id_type="身份证",
        applicant_id_number="340104198803150011",
        channel="online",
        status=status,
        submitted_at=submitted_at,
        accepted_at=accepted_at
        if accepted_at is not None
        else (submitted_at if status != "submitted" else None),
        due_date=due_date,
        completed_at=completed_at,
        **extra,
    )


def rule(kind: str) -> SupervisionRule:
    install_defaults()
    return SupervisionRule.objects.get(kind=kind, code__startswith="default-")
