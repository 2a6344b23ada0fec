"""A session's account is read with its staff profile and organisation in one statement (ADR 0010):
the workbench header and the role checks cost no further statement; the switch turns it off."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY, get_user
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.accounts.roles import roles_of

pytestmark = pytest.mark.django_db


def session_request(client):
    request = RequestFactory().get("/")
    request.session = client.session
    return request


def test_staff_account_comes_with_profile_and_organisation(clerk_client, clerk, department):
    request = session_request(clerk_client)
    assert request.session[SESSION_KEY] == str(clerk.pk)
    with CaptureQueriesContext(connection) as queries:
        user = get_user(request)
        assert user == clerk
        assert user.staff_profile.organisation.name == department.name
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert "window_clerk" in roles_of(user)
    assert len(queries) == 1  # the role assignments, once per request


def test_switch_off_reads_them_lazily(clerk_client, clerk, department, settings):
    settings.YIWANG_SESSION_USER_JOIN = False
    request = session_request(clerk_client)
    assert request.session[SESSION_KEY] == str(clerk.pk)
    with CaptureQueriesContext(connection) as queries:
        user = get_user(request)
        assert user.staff_profile.organisation.name == department.name
    assert len(queries) == 3


def test_applicants_and_inactive_accounts(citizen_client, citizen, clerk_client, clerk):
    assert get_user(session_request(citizen_client)) == citizen
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    assert not get_user(session_request(clerk_client)).is_authenticated
    page = clerk_client.get(reverse("workbench:todo"))
    assert page.status_code == 302  # a deactivated clerk's session opens nothing
