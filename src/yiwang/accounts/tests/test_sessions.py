"""Sessions without a write per request: rolling expiry renewed only after half the idle timeout,
the MLPS-3 idle timeout still enforced, staff MFA kept, cached sessions (yiwang.core.sessions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yiwang.accounts.policy import update_security_policy
from yiwang.accounts.tests import factories
from yiwang.core.sessions import WRITTEN_AT_KEY
from yiwang.testing.mfa import current_code, totp_device

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ME = "/api/v1/accounts/me"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _citizen_login(client: Client) -> None:
    factories.citizen()
    response = client.post("/login/", {"username": "citizen", "password": factories.PASSWORD})
    assert response.status_code == 302


def _row(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _session_writes(client: Client, path: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return status, writes


def test_a_request_in_the_first_half_does_not_write_the_session(clock):
    client = Client()
    _citizen_login(client)
    expire_date = _row(client).expire_date
    assert expire_date == START + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    clock.shift(dt.timedelta(minutes=5))
    status, writes = _session_writes(client, ME)
    assert status == 200 and writes == []
    clock.shift(dt.timedelta(minutes=9))  # 14 minutes after the login: still inside the first half
    response = client.get(ME)
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # no fresh cookie either
    assert _row(client).expire_date == expire_date


def test_a_request_after_half_the_timeout_renews_the_expiry(clock):
    client = Client()
    _citizen_login(client)
    clock.shift(dt.timedelta(minutes=16))
    status, writes = _session_writes(client, ME)
    assert status == 200 and len(writes) == 1
    assert _row(client).expire_date == START + dt.timedelta(minutes=16, seconds=settings.SESSION_COOKIE_AGE)
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_active_use_keeps_the_session_alive_across_several_half_periods(clock):
    client = Client()
    _citizen_login(client)
    for _ in range(12):  # two hours, a request every ten minutes
        clock.shift(dt.timedelta(minutes=10))
        assert client.get(ME).status_code == 200
    assert Session.objects.count() == 1


def test_idle_past_the_timeout_logs_out(clock):
    client = Client()
    _citizen_login(client)
    clock.shift(dt.timedelta(minutes=10))
    assert client.get(ME).status_code == 200
    clock.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
    assert client.get(ME).status_code == 401
    page = client.get("/my/cases/")
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_the_session_never_outlives_the_idle_timeout_from_its_last_write(clock):
    """A request inside the first half does not move the expiry: the session ends at the latest one
    idle timeout after the last write (so after between half and all of the timeout of idleness)."""
    client = Client()
    _citizen_login(client)
    clock.shift(dt.timedelta(minutes=14))
    assert client.get(ME).status_code == 200
    clock.shift(dt.timedelta(minutes=16, seconds=1))  # 30:01 after the login, 16:01 idle
    assert client.get(ME).status_code == 401


def test_the_policy_timeout_rolls_the_same_way(clock, settings):
    staff = factories.staff("secadmin", ["security_admin"])
    policy = {
        "password_min_length": 8,
        "password_min_classes": 3,
        "lockout_account_failures": 5,
        "lockout_ip_failures": 20,
        "lockout_base_seconds": 300,
        "lockout_max_seconds": 7200,
        "session_idle_minutes": 10,
    }
    update_security_policy(staff, policy)
    client = Client()
    _citizen_login(client)
    assert client.session.get_expiry_age() == 10 * 60
    clock.shift(dt.timedelta(minutes=4))
    assert _session_writes(client, ME) == (200, [])
    clock.shift(dt.timedelta(minutes=2))  # six minutes: past half of ten
    status, writes = _session_writes(client, ME)
    assert status == 200 and len(writes) == 1
    clock.shift(dt.timedelta(minutes=10, seconds=1))
    assert client.get(ME).status_code == 401


def test_staff_mfa_survives_renewals_and_idle_staff_must_log_in_again(clock):
    clerk = factories.staff("clerk", ["window_clerk"])
    device = totp_device(clerk)
    client = Client()
    assert (
        client.post("/workbench/login/", {"username": "clerk", "password": factories.PASSWORD}).status_code
        == 302
    )
    assert client.post("/workbench/mfa/", {"token": current_code(device)}).status_code == 302
    for _ in range(8):  # past several renewals
        clock.shift(dt.timedelta(minutes=9))
        assert client.get("/workbench/").status_code == 200
        assert client.get("/api/v1/workbench/todo").status_code == 200
    clock.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
    response = client.get("/workbench/")
    assert response.status_code == 302 and "/workbench/login/" in response["Location"]


def test_login_logout_and_csrf_still_work(clock):
    factories.citizen()
    client = Client(enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert client.post("/login/", {"username": "citizen", "password": factories.PASSWORD}).status_code == 403
    login = client.post(
        "/login/", {"username": "citizen", "password": factories.PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert login.status_code == 302
    assert WRITTEN_AT_KEY in client.session
    clock.shift(dt.timedelta(minutes=3))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert client.post("/logout/").status_code == 403  # no token: refused, still logged in
    assert client.get(ME).status_code == 200
    assert client.post("/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get(ME).status_code == 401
    assert Session.objects.count() == 0


def test_requests_without_a_session_start_none(clock):
    response = Client().get("/")
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == 0


@pytest.fixture
def cached_sessions(settings) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessions-test"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"


def test_cached_sessions_read_no_session_row_and_still_time_out(clock, cached_sessions):
    client = Client()
    _citizen_login(client)
    expire_date = _row(client).expire_date
    clock.shift(dt.timedelta(minutes=5))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME).status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    assert _row(client).expire_date == expire_date
    clock.shift(dt.timedelta(minutes=11))  # renewal: written to the cache and the database
    status, writes = _session_writes(client, ME)
    assert status == 200 and len(writes) == 1
    clock.shift(dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
    assert client.get(ME).status_code == 401
