"""Fixtures shared by the catalogue tests."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import StaffRole, User
from yiwang.catalog.tests.factories import OrganisationFactory, RegionFactory, make_citizen, make_staff
from yiwang.core.models import Organisation, Region


@pytest.fixture
def hefei(db: None) -> Region:
    return RegionFactory()


@pytest.fixture
def market_bureau(hefei: Region) -> Organisation:
    return OrganisationFactory(name="合肥市市场监督管理局", short_name="市市场监管局", region=hefei)


@pytest.fixture
def police_bureau(hefei: Region) -> Organisation:
    return OrganisationFactory(name="合肥市公安局", short_name="市公安局", region=hefei)


@pytest.fixture
def data_bureau(hefei: Region) -> Organisation:
    return OrganisationFactory(name="合肥市数据资源局", short_name="市数据资源局", region=hefei)


@pytest.fixture
def manager(data_bureau: Organisation) -> User:
    return make_staff(data_bureau, "manager", [StaffRole.SERVICE_MANAGER])


@pytest.fixture
def manager2(data_bureau: Organisation) -> User:
    """A second service manager of the same region: reviews what ``manager`` submits."""
    return make_staff(data_bureau, "manager2", [StaffRole.SERVICE_MANAGER])


@pytest.fixture
def wuhu_manager(db: None) -> User:
    wuhu = RegionFactory(code="3402", name="芜湖市")
    return make_staff(
        OrganisationFactory(name="芜湖市数据资源局", region=wuhu), "wuhu_manager", [StaffRole.SERVICE_MANAGER]
    )


@pytest.fixture
def clerk(market_bureau: Organisation) -> User:
    return make_staff(market_bureau, "clerk", [StaffRole.WINDOW_CLERK])


@pytest.fixture
def admin_user(data_bureau: Organisation) -> User:
    user = make_staff(data_bureau, "admin", [StaffRole.ADMIN])
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def citizen(db: None) -> User:
    return make_citizen("citizen")
