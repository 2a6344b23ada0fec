"""Bearer tokens: checked against the database on every request, with the account objects reused
between requests only while the token, the account, its profile and its roles are unchanged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from yiwang.accounts import api_auth
from yiwang.accounts.models import ApiToken, StaffRoleAssignment, User
from yiwang.accounts.services import issue_api_token, revoke_api_token
from yiwang.accounts.tests.factories import citizen, organisation, staff

pytestmark = pytest.mark.django_db

TODO = "/api/v1/workbench/todo"


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def clerk() -> User:
    return staff("clerk_auth", ["window_clerk"], organisation())


def test_a_remembered_token_costs_one_statement(clerk: User, django_assert_num_queries: Any) -> None:
    client = bearer(issue_api_token(clerk))
    assert client.get(TODO).status_code == 200  # first use: load the account, record the use
    # token check, the page, the queue counter sum: no account or role queries
    with django_assert_num_queries(3):
        assert client.get(TODO).status_code == 200


def test_revocation_takes_effect_on_the_next_request(clerk: User) -> None:
    token = issue_api_token(clerk)
    client = bearer(token)
    assert client.get(TODO).status_code == 200
    revoke_api_token(clerk, token)
    response = client.get(TODO)
    assert response.status_code == 401 and response.json()["code"]


def test_expiry_takes_effect_on_the_next_request(clerk: User) -> None:
    client = bearer(issue_api_token(clerk))
    assert client.get(TODO).status_code == 200
    expires = ApiToken.objects.get(user=clerk).expires_at
    with time_machine.travel(expires + timedelta(seconds=1)):
        assert client.get(TODO).status_code == 401


def test_a_deactivated_account_is_refused_at_once(clerk: User) -> None:
    client = bearer(issue_api_token(clerk))
    assert client.get(TODO).status_code == 200
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    assert client.get(TODO).status_code == 401


def test_a_revoked_role_is_gone_on_the_next_request(clerk: User) -> None:
    client = bearer(issue_api_token(clerk))
    assert client.get(TODO).status_code == 200
    # Even a change that bypasses the services (a bulk delete) is seen: the roles are part of the check.
    StaffRoleAssignment.objects.filter(staff__user=clerk).delete()
    assert client.get(TODO).status_code == 403


def test_a_granted_role_and_a_changed_scope_are_seen(clerk: User) -> None:
    client = bearer(issue_api_token(clerk))
    assert client.get(TODO).json()["count"] == 0
    profile = clerk.staff_profile
    StaffRoleAssignment.objects.create(staff=profile, role="approver")
    me = client.get("/api/v1/accounts/me").json()
    assert client.get(TODO).status_code == 200
    StaffRoleAssignment.objects.filter(staff=profile, role="approver").update(scope="region")
    remembered = api_auth._remembered
    before = {key: entry.stamp for key, entry in remembered.items()}
    client.get(TODO)
    assert {key: entry.stamp for key, entry in remembered.items()} != before
    assert me["username"] == "clerk_auth"


def test_each_request_gets_its_own_copy(clerk: User, rf: Any) -> None:
    token = issue_api_token(clerk)
    auth = api_auth.BearerTokenAuth()
    first = auth.authenticate(rf.get("/"), token)
    first.first_name = "changed by a view"
    first.staff_profile.real_name = "changed too"
    second = auth.authenticate(rf.get("/"), token)
    assert second is not first and second.first_name != "changed by a view"
    assert second.staff_profile.real_name == "clerk_auth" and second.staff_profile is not first.staff_profile


def test_the_last_use_is_recorded_once_a_minute(clerk: User) -> None:
    client = bearer(issue_api_token(clerk))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get(TODO)
        first = ApiToken.objects.get(user=clerk).last_used_at
        assert first == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get(TODO)
        assert ApiToken.objects.get(user=clerk).last_used_at == first


def test_citizens_tokens_work_the_same_way(db: None) -> None:
    person = citizen("auth_citizen")
    client = bearer(issue_api_token(person))
    assert client.get("/api/v1/accounts/me").json()["username"] == "auth_citizen"
    assert client.get("/api/v1/accounts/me").status_code == 200
    assert client.get(TODO).status_code == 403
    assert bearer("yw_not-a-token").get("/api/v1/accounts/me").status_code == 401


def test_the_check_is_read_by_column_name(clerk: User, rf: Any) -> None:
    """The stamp names every column it holds: a reordered statement cannot mix them up."""
    auth = api_auth.BearerTokenAuth()
    token = issue_api_token(clerk)
    auth.authenticate(rf.get("/"), token)
    entry = api_auth._remembered[api_auth.hash_token(token)]
    named = dict(entry.stamp[:-1])
    assert named["user__username"] == "clerk_auth" and named["user__is_active"] in (True, 1)
    assert named["profile__real_name"] == "clerk_auth"
    assert [role.split(":")[1] for role in entry.stamp[-1]] == ["window_clerk"]


def test_switched_off_the_account_is_loaded_every_time(
    clerk: User, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.YIWANG_API_TOKEN_CACHE = False
    token = issue_api_token(clerk)
    client = bearer(token)
    assert client.get(TODO).status_code == 200
    assert api_auth.hash_token(token) not in api_auth._remembered
    # token check, the token with account and profile, the roles, the page, the queue counter sum
    with django_assert_num_queries(5):
        assert client.get(TODO).status_code == 200
    assert api_auth.hash_token(token) not in api_auth._remembered
