"""Lockout with back-off after failed logins, per account and per IP; recovery through the phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import LoginRecord, LoginThrottle, SmsOutboxMessage
from yiwang.accounts.tests import factories
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str = "citizen", password: str = "wrong", ip: str = "10.0.0.1"):  # noqa: S107
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_account_locks_after_five_failures_with_back_off(settings):
    factories.citizen()
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(4):
            assert _login(client).status_code == 401
        assert _login(client).status_code == 429  # the fifth locks
        # Locked: even the right password is refused, without checking it.
        locked = _login(client, password=factories.PASSWORD)
        assert locked.status_code == 429 and "锁定" in locked.content.decode()
        clock.shift(timedelta(minutes=6))
        for _ in range(5):
            _login(client)
        row = LoginThrottle.objects.get(scope="account", key="citizen")
        assert row.lockouts == 2
        assert row.locked_until - timezone.now() >= timedelta(minutes=9)  # doubled
        clock.shift(timedelta(minutes=11))
        assert _login(client, password=factories.PASSWORD).status_code == 302
    row.refresh_from_db()
    assert row.lockouts == 0 and row.failures == 0
    assert AuditEvent.objects.filter(action="auth.lockout").count() == 2
    assert AuditEvent.objects.filter(action="auth.login_locked").exists()
    assert LoginRecord.objects.filter(user__username="citizen", succeeded=False).count() >= 10


def test_ip_locks_after_many_failures_across_accounts(settings):
    settings.YIWANG_LOCKOUT_IP_FAILURES = 6
    factories.citizen()
    client = Client()
    for n in range(6):
        _login(client, username=f"nobody{n}", ip="10.9.9.9")
    response = _login(client, username="citizen", password=factories.PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert _login(client, username="citizen", password=factories.PASSWORD, ip="10.1.1.1").status_code == 302


def test_api_token_endpoint_is_throttled_too():
    factories.citizen()
    client = Client()
    for _ in range(5):
        client.post(
            "/api/v1/accounts/token",
            {"username": "citizen", "password": "nope"},
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/accounts/token",
        {"username": "citizen", "password": factories.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "account_locked"
    assert response.json()["fields"]["retry_after"] > 0


def test_recovery_through_the_verified_phone_lifts_the_lock(django_capture_on_commit_callbacks):
    person = factories.citizen()
    client = Client()
    for _ in range(5):
        _login(client)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(
                "/api/v1/accounts/recovery/sms", {"phone": person.phone}, content_type="application/json"
            ).status_code
            == 202
        )
    body = SmsOutboxMessage.objects.filter(phone=person.phone).first().body
    code = re.search(r"验证码为 (\d{6})", body).group(1)
    weak = client.post(
        "/api/v1/accounts/recovery",
        {"phone": person.phone, "sms_code": code, "new_password": "abcdefgh"},
        content_type="application/json",
    )
    assert weak.status_code == 400 and weak.json()["code"] == "weak_password"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/api/v1/accounts/recovery/sms", {"phone": person.phone}, content_type="application/json")
    # The first code was consumed; a new one is needed after 60 s — the rate limit answers 429.
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/api/v1/accounts/recovery/sms", {"phone": person.phone}, content_type="application/json"
            )
        body = SmsOutboxMessage.objects.filter(phone=person.phone).order_by("-created_at").first().body
        code = re.search(r"验证码为 (\d{6})", body).group(1)
        ok = client.post(
            "/api/v1/accounts/recovery",
            {"phone": person.phone, "sms_code": code, "new_password": "New#Pass2026"},
            content_type="application/json",
        )
        assert ok.status_code == 200, ok.json()
        reused = client.post(
            "/api/v1/accounts/recovery",
            {"phone": person.phone, "sms_code": code, "new_password": "New#Pass2027"},
            content_type="application/json",
        )
        assert reused.status_code == 400 and reused.json()["code"] == "sms_code_invalid"
        assert _login(client, password="New#Pass2026").status_code == 302
    assert AuditEvent.objects.filter(action="sms.code_refused").exists()


def test_unknown_phone_gets_no_code_and_no_hint():
    client = Client()
    response = client.post(
        "/api/v1/accounts/recovery/sms", {"phone": "13912345678"}, content_type="application/json"
    )
    assert response.status_code == 202
    assert not SmsOutboxMessage.objects.exists()


def test_security_page_shows_the_login_history(client):
    factories.citizen()
    _login(client, ip="10.0.0.7")
    _login(client, password=factories.PASSWORD, ip="10.0.0.8")
    html = client.get("/my/security/").content.decode()
    assert "最近登录记录" in html and "10.0.0.7" in html and "10.0.0.8" in html and "失败" in html
    assert Client().get("/my/security/").status_code == 302  # anonymous → login


def test_password_policy_needs_three_character_classes():
    client = Client()
    factories.citizen()
    client.force_login(factories.citizen("other"))
    response = client.post(
        "/my/security/password/", {"old_password": factories.PASSWORD, "new_password": "abcdefghij"}
    )
    assert response.status_code == 400 and "至少 3 类" in response.content.decode()
