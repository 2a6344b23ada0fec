"""The "recovery codes running low" warning appears only when codes were issued and few are left
(issue 16 point 12: every demo staff login warned, though demo staff never had codes)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

from yiwang.accounts import mfa
from yiwang.accounts.tests import factories
from yiwang.testing.mfa import current_code, totp_device

pytestmark = pytest.mark.django_db
WARNING = "可用恢复码已不多"


def _login_with_totp(username: str, device) -> list[str]:
    client = Client()
    client.post("/workbench/login/", {"username": username, "password": factories.PASSWORD})
    response = client.post("/workbench/mfa/", {"token": current_code(device)})
    assert response.status_code == 302
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_staff_without_recovery_codes_is_not_told_they_run_low():
    clerk = factories.staff("clerk", ["window_clerk"])
    device = totp_device(clerk)  # like the demo staff: an authenticator, no recovery codes issued
    assert not mfa.recovery_codes_running_low(clerk)
    assert not any(WARNING in message for message in _login_with_totp("clerk", device))


def test_staff_with_few_codes_left_is_warned():
    clerk = factories.staff("clerk", ["window_clerk"])
    device = totp_device(clerk)
    codes = mfa.regenerate_recovery_codes(clerk)
    assert not mfa.recovery_codes_running_low(clerk)
    StaticToken.objects.filter(token__in=codes[:8]).delete()
    assert mfa.recovery_codes_running_low(clerk)
    assert any(WARNING in message for message in _login_with_totp("clerk", device))
