"""Fixtures shared by the portal and workbench page tests (imported by both conftest files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from yiwang.accounts.models import User
from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation
from yiwang.testing import portal as factories
from yiwang.testing.mfa import verify_mfa


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def calendar(db: None) -> None:
    factories.seed_test_calendar()


@pytest.fixture
def department(db: None) -> Organisation:
    return factories.make_department()


@pytest.fixture
def other_department(db: None) -> Organisation:
    return factories.make_department("合肥市公安局", "市公安局")


@pytest.fixture
def item(department: Organisation, calendar: None) -> ServiceItem:
    return factories.make_item(department)


@pytest.fixture
def citizen(db: None) -> User:
    return factories.make_citizen("citizen")


@pytest.fixture
def other_citizen(db: None) -> User:
    return factories.make_citizen("citizen2", real_name="李梅")


@pytest.fixture
def clerk(department: Organisation) -> User:
    return factories.make_staff(department, "clerk", ["window_clerk"], "李娜")


@pytest.fixture
def approver(department: Organisation) -> User:
    return factories.make_staff(department, "approver", ["handler", "approver"], "王强")


@pytest.fixture
def foreign_clerk(other_department: Organisation) -> User:
    return factories.make_staff(other_department, "clerk_ps", ["window_clerk"], "赵敏")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    if user.kind == "staff":
        verify_mfa(client, user)  # staff sessions need the second factor
    return client


@pytest.fixture
def citizen_client(citizen: User) -> Client:
    return logged_in(citizen)


@pytest.fixture
def clerk_client(clerk: User) -> Client:
    return logged_in(clerk)


@pytest.fixture
def approver_client(approver: User) -> Client:
    return logged_in(approver)
