from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine

from yiwang.accounts.models import User
from yiwang.cases.tests.factories import OrganisationFactory, ServiceItemFactory, make_citizen, make_staff
from yiwang.catalog.models import ServiceItem
from yiwang.core.calendar import seed_calendar
from yiwang.core.models import Organisation
from yiwang.testing.clients import SHANGHAI, make_region_staff, token_client  # noqa: F401 - used by the cases tests

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


# --- case records (办件库, 归档, 数据集上报): a small world over three regions -------------------------
@pytest.fixture
def records_world(
    db, department, other_department, calendar, frozen_time, django_capture_on_commit_callbacks
):
    """Cases in 合肥 (city 3401, two departments and a county 340104) and 芜湖 (3402).

    ``on_time``: accepted and approved the same day; ``late``: approved 40 days after acceptance;
    ``open``: submitted at the window; ``county`` and ``far``: submitted elsewhere.
    """
    from datetime import timedelta

    from yiwang.cases.models import Case
    from yiwang.cases.services import accept_case, decide_case
    from yiwang.cases.tests.factories import submit_case
    from yiwang.core.models import RegionLevel
    from yiwang.testing.catalog import RegionFactory

    hefei = department.region
    county = RegionFactory(code="340104", name="蜀山区", level=RegionLevel.COUNTY, parent=hefei)
    wuhu = RegionFactory(code="3402", name="芜湖市")
    county_dept = OrganisationFactory(name="蜀山区市场监督管理局", region=county)
    far_dept = OrganisationFactory(name="芜湖市市场监督管理局", region=wuhu)
    item = ServiceItemFactory(implementing_body=department, name="食品经营许可")
    other_item = ServiceItemFactory(implementing_body=department, name="药品经营许可", item_type="20")
    county_item = ServiceItemFactory(implementing_body=county_dept, name="个体工商户登记")
    far_item = ServiceItemFactory(implementing_body=far_dept, name="食品生产许可")
    clerk = make_staff(department, "rec_clerk", ("window_clerk",))
    approver = make_staff(department, "rec_approver", ("handler", "approver"))
    applicant = make_citizen("rec_citizen")
    company = make_citizen("rec_citizen2")
    with django_capture_on_commit_callbacks(execute=True):
        on_time = accept_case(submit_case(item, applicant), actor=clerk)
        on_time = decide_case(on_time, actor=approver, approve=True, comment="同意")
    late = accept_case(submit_case(other_item, company), actor=clerk)
    open_case = submit_case(item, company)
    Case.objects.filter(pk=open_case.pk).update(channel="window")
    county_case = submit_case(county_item, applicant)
    far_case = submit_case(far_item, applicant)
    frozen_time.shift(timedelta(days=40))
    with django_capture_on_commit_callbacks(execute=True):
        late = decide_case(late, actor=approver, approve=False, comment="条件不符")
    for case in (open_case, county_case, far_case):
        case.refresh_from_db()
    return {
        "department": department,
        "other_department": other_department,
        "county_dept": county_dept,
        "far_dept": far_dept,
        "item": item,
        "other_item": other_item,
        "clerk": clerk,
        "approver": approver,
        "on_time": on_time,
        "late": late,
        "open": open_case,
        "county": county_case,
        "far": far_case,
        "traveller": frozen_time,
    }
