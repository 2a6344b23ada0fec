"""Stateless web nodes share log-ins through Redis (issue #26, docs/scale-out.md "Sessions and cache").

Two real web nodes (``yiwang serve``, gunicorn, each on its own port) on the same database and the
same Redis (``YIWANG_CACHE_URL``): a clerk logs in on node A through the real log-in and MFA pages,
and the next request, on node B, is authenticated and past MFA; logging out on B ends the session on
A; the session's stored expiry is the MLPS idle timeout (Redis TTL and database row) and a session
whose expiry has passed is refused by both nodes.  One browser (one cookie jar) plays the load
balancer's client: cookies do not depend on the port.

Several web nodes are a production (PostgreSQL) topology: the test runs in the PostgreSQL pass of
``make test`` only (the nodes open the test database); skipped without Redis.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.core.keyring import keyring
from yiwang.testing import accounts as factories
from yiwang.testing.mfa import totp_device
from yiwang.testing.scaleout import (
    REDIS_URL,
    cache_prefix,
    csrf_token,
    database_url_of,
    node_env,
    nodes,
    redis_available,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="several web nodes: PostgreSQL pass of make test only"
    ),
    pytest.mark.skipif(not redis_available(), reason=f"Redis not reachable at {REDIS_URL}"),
    pytest.mark.django_db(transaction=True),
]


def _code(device: TOTPDevice, steps_ahead: int) -> str:
    """The TOTP code of a later step (a code once used is refused; the device allows one step of drift)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def _login(browser: requests.Session, node: str, device: TOTPDevice, steps_ahead: int = 0) -> None:
    page = browser.get(f"{node}/workbench/login/", timeout=10)
    assert page.status_code == 200
    response = browser.post(
        f"{node}/workbench/login/",
        {"username": "clerk", "password": factories.PASSWORD, "csrfmiddlewaretoken": csrf_token(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    page = browser.get(f"{node}/workbench/mfa/", timeout=10)
    response = browser.post(
        f"{node}/workbench/mfa/",
        {"token": _code(device, steps_ahead), "csrfmiddlewaretoken": csrf_token(page.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    assert "/mfa/" not in response.headers["Location"]


def _signed_in(browser: requests.Session, node: str) -> bool:
    response = browser.get(f"{node}/workbench/", allow_redirects=False, timeout=10)
    if response.status_code == 302:
        assert "/login/" in response.headers["Location"] or "/mfa/" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return "clerk" in response.text or "李" in response.text or "退出" in response.text


def test_two_nodes_share_the_log_in_the_log_out_and_the_idle_timeout(tmp_path: Path) -> None:
    import redis

    keyring.clear()  # data keys cached by an earlier transactional test are gone from the database
    clerk = factories.staff("clerk", ["window_clerk"])
    device = totp_device(clerk)
    prefix = cache_prefix()
    env = node_env(
        tmp_path,
        DATABASE_URL=database_url_of(connection.settings_dict),
        YIWANG_CACHE_URL=REDIS_URL,
        YIWANG_CACHE_KEY_PREFIX=prefix,
    )
    store = redis.Redis.from_url(REDIS_URL)
    try:
        started = time.monotonic()
        with nodes(["node-a", "node-b"], env, tmp_path) as (a, b):
            print(f"\ntwo nodes answering after {time.monotonic() - started:.1f} s")
            browser = requests.Session()
            _login(browser, a.url, device)
            # The next request lands on node B: the same session, MFA passed.
            assert _signed_in(browser, b.url)
            assert browser.get(f"{b.url}/api/v1/accounts/me", timeout=10).json()["username"] == "clerk"
            session_key = browser.cookies[settings.SESSION_COOKIE_NAME]
            cached = [key for key in store.scan_iter(f"{prefix}session:*") if session_key.encode() in key]
            assert len(cached) == 1, "the session is cached in the shared Redis"

            # The stored expiry is the idle timeout, in Redis and in the database row alike.
            timeout = store.ttl(cached[0])
            row = Session.objects.get(session_key=session_key)
            idle = (row.expire_date - timezone.now()).total_seconds()
            assert 0 < timeout <= settings.SESSION_COOKIE_AGE
            assert abs(idle - timeout) < 5

            # Logging out on B ends the session on A.
            page = browser.get(f"{b.url}/workbench/", timeout=10)
            response = browser.post(
                f"{b.url}/logout/",
                {"csrfmiddlewaretoken": csrf_token(page.text)},
                allow_redirects=False,
                timeout=10,
            )
            assert response.status_code == 302
            assert not _signed_in(browser, a.url)
            assert not store.exists(cached[0])

            # Idle past the timeout: let the stored expiry pass (as the whole idle timeout would)
            # in Redis and in the database; neither node keeps the session alive from memory.
            _login(browser, a.url, device, steps_ahead=1)
            assert _signed_in(browser, b.url)
            session_key = browser.cookies[settings.SESSION_COOKIE_NAME]
            (cached_key,) = [k for k in store.scan_iter(f"{prefix}session:*") if session_key.encode() in k]
            store.pexpire(cached_key, 1)
            Session.objects.filter(session_key=session_key).update(
                expire_date=timezone.now() - dt.timedelta(seconds=1)
            )
            assert not _signed_in(browser, a.url)
            assert not _signed_in(browser, b.url)
            assert browser.get(f"{b.url}/api/v1/accounts/me", timeout=10).status_code == 401
    finally:
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)
