"""Test data of metrics: departments, items and cases written directly (known histories)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseStatus
from yiwang.catalog.models import ServiceItem
from yiwang.catalog.models.items import CaseKind
from yiwang.core.models import Organisation
from yiwang.testing.portal import make_citizen, make_department, make_item, make_staff

TZ = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


@dataclass
class World:
    market: Organisation
    police: Organisation
    licence: ServiceItem  # market, committed 3, statutory 15
    instant: ServiceItem  # market, 即办件
    passport: ServiceItem  # police
    idle: ServiceItem  # market, never applied for
    applicant: User
    manager: User  # service_manager at market (department scope)
    clerk: User  # window clerk at police
    auditor: User


def make_world() -> World:
    market = make_department()
    police = make_department("合肥市公安局", "市公安局")
    return World(
        market=market,
        police=police,
        licence=make_item(market, materials=[]),
        instant=make_item(market, name="个体户名称变更", case_kind=CaseKind.INSTANT, materials=[]),
        passport=make_item(
            police, name="出入境证件办理", statutory_limit_days=20, committed_limit_days=7, materials=[]
        ),
        idle=make_item(market, name="广告发布登记", materials=[]),
        applicant=make_citizen("metrics_citizen"),
        manager=make_staff(market, "metrics_manager", ["service_manager"]),
        clerk=make_staff(police, "metrics_clerk", ["window_clerk"]),
        auditor=make_staff(market, "metrics_auditor", ["auditor"]),
    )


def make_case(world: World, item: ServiceItem, submitted: datetime, **fields: Any) -> Case:
    """A case row as a finished history would leave it (no events; call ``aggregates.mark_cases``)."""
    n = next(_numbers)
    values: dict[str, Any] = {
        "number": f"{item.implementation_code}{submitted:%Y%m%d}{n:04d}",
        "item": item,
        "item_version": 1,
        "item_snapshot": {},
        "handling_organisation": item.implementing_body,
        "applicant": world.applicant,
        "applicant_name": "张伟",
        "applicant_id_type": "身份证",
        "applicant_id_number": "340104198803150011",
        "channel": "web",
        "status": CaseStatus.SUBMITTED,
        "submitted_at": submitted,
    }
    values.update(fields)
    return Case.objects.create(**values)
