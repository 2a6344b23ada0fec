"""API clients and staff with a wider data scope, shared by the cases, workbench and other API tests."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.test import Client

from yiwang.accounts.models import DataScope, StaffRoleAssignment, User
from yiwang.accounts.services import issue_api_token
from yiwang.core.models import Organisation
from yiwang.testing.people import make_staff

SHANGHAI = ZoneInfo("Asia/Shanghai")


def token_client(user: User) -> Client:
    """A test client that calls the API with a fresh bearer token of ``user``."""
    return Client(headers={"Authorization": f"Bearer {issue_api_token(user)}"})


def make_region_staff(organisation: Organisation, username: str, roles: tuple[str, ...]) -> User:
    """A staff member whose roles reach his whole region and every region below (数据范围：本行政区划及下级)."""
    user = make_staff(organisation, username, roles)
    StaffRoleAssignment.objects.filter(staff__user=user).update(scope=DataScope.REGION)
    return User.objects.get(pk=user.pk)
