from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from yiwang.accounts.models import User
from yiwang.accounts.services import issue_api_token
from yiwang.cases.tests.factories import OrganisationFactory, ServiceItemFactory, make_citizen, make_staff
from yiwang.catalog.models import ServiceItem
from yiwang.core.calendar import seed_calendar
from yiwang.core.models import Organisation

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Monday in a year the calendar covers; National Day (Oct 1-7) falls inside most deadlines.
FROZEN_NOW = datetime(2026, 9, 21, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def media_root(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    return tmp_path / "media"


@pytest.fixture
def frozen_time() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def calendar(db: None) -> None:
    seed_calendar([2026])


@pytest.fixture
def department(db: None) -> Organisation:
    return OrganisationFactory(name="合肥市市场监督管理局", short_name="市市场监管局")


@pytest.fixture
def other_department(db: None) -> Organisation:
    return OrganisationFactory(name="合肥市公安局", short_name="市公安局")


@pytest.fixture
def item(department: Organisation, calendar: None) -> ServiceItem:
    return ServiceItemFactory(implementing_body=department)


@pytest.fixture
def citizen(db: None) -> User:
    return make_citizen("citizen")


@pytest.fixture
def other_citizen(db: None) -> User:
    return make_citizen("citizen2")


@pytest.fixture
def clerk(department: Organisation) -> User:
    return make_staff(department, "clerk", ("window_clerk",))


@pytest.fixture
def clerk2(department: Organisation) -> User:
    return make_staff(department, "clerk2", ("window_clerk",))


@pytest.fixture
def approver(department: Organisation) -> User:
    return make_staff(department, "approver", ("handler", "approver"))


@pytest.fixture
def foreign_clerk(other_department: Organisation) -> User:
    return make_staff(other_department, "clerk_ps", ("window_clerk",))


def token_client(user: User) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_api_token(user)}"})
