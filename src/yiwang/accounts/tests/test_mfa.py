"""Staff MFA (django-otp TOTP): the workbench needs the second factor; enrolment; recovery codes."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from yiwang.accounts.tests import factories
from yiwang.core.models import AuditEvent
from yiwang.testing.mfa import current_code, totp_device

pytestmark = pytest.mark.django_db


def _password_login(client: Client, username: str = "clerk"):
    return client.post("/workbench/login/", {"username": username, "password": factories.PASSWORD})


def test_password_alone_does_not_open_the_workbench():
    factories.staff("clerk", ["window_clerk"])
    client = Client()
    assert _password_login(client)["Location"] == "/workbench/mfa/"
    response = client.get("/workbench/")
    assert response.status_code == 302 and response["Location"].startswith("/workbench/mfa/")
    assert client.get("/api/v1/workbench/todo").status_code == 401  # nor the staff API


def test_enrolment_with_qr_code_then_recovery_codes():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    factories.staff("clerk", ["window_clerk"])
    client = Client()
    _password_login(client)
    page = client.get("/workbench/mfa/", follow=True)
    html = page.content.decode()
    assert "绑定身份验证器" in html and "<svg" in html
    device = TOTPDevice.objects.get(user__username="clerk", confirmed=False)
    wrong = client.post("/workbench/mfa/enrol/", {"token": "000000"})
    assert wrong.status_code == 400
    device.refresh_from_db()
    device.throttle_reset()  # django-otp throttles the next try after a failure
    done = client.post("/workbench/mfa/enrol/", {"token": current_code(device)})
    codes = re.findall(r"<code>(\d{8})</code>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/workbench/").status_code == 200
    # Next login: a recovery code works once.
    client.post("/logout/")
    _password_login(client)
    assert client.post("/workbench/mfa/", {"token": codes[0]}).status_code == 302
    client.post("/logout/")
    _password_login(client)
    assert client.post("/workbench/mfa/", {"token": codes[0]}).status_code == 400
    assert AuditEvent.objects.filter(action="auth.mfa_enrolled").exists()
    assert AuditEvent.objects.filter(action="auth.mfa_failed").exists()


def test_wrong_codes_count_towards_the_lockout():
    clerk = factories.staff("clerk", ["window_clerk"])
    totp_device(clerk)
    client = Client()
    _password_login(client)
    statuses = [client.post("/workbench/mfa/", {"token": "000000"}).status_code for _ in range(5)]
    assert statuses[-1] == 429


def test_staff_api_token_needs_the_otp():
    clerk = factories.staff("clerk", ["window_clerk"])
    device = totp_device(clerk)
    client = Client()
    payload = {"username": "clerk", "password": factories.PASSWORD}
    missing = client.post("/api/v1/accounts/token", payload, content_type="application/json")
    assert missing.status_code == 401 and missing.json()["code"] == "mfa_required"
    ok = client.post(
        "/api/v1/accounts/token", {**payload, "otp": current_code(device)}, content_type="application/json"
    )
    assert ok.status_code == 201
