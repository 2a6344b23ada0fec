"""The password hint is the enforced rule, and Django's checks speak proper Chinese (issue 16
point 12: the registration page said "至少 8 位，不能全为数字" while the policy asks for three
character classes; "密码跟 用户名 太相似了")."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from yiwang.accounts.passwords import password_hint
from yiwang.accounts.policy import update_security_policy
from yiwang.accounts.tests import factories

pytestmark = pytest.mark.django_db


def _registration_hint() -> str:
    with translation.override("zh-hans"):
        return Client().get("/register/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_registration_hint_is_the_policy():
    page = _registration_hint()
    assert "至少 8 位，不能全为数字" not in page
    assert password_hint() in page
    assert "至少 3 类" in password_hint()


def test_hint_follows_a_stricter_policy():
    secadmin = factories.staff("secadmin", ["security_admin"], factories.organisation())
    update_security_policy(
        secadmin,
        {
            "password_min_length": 12,
            "password_min_classes": 4,
            "lockout_account_failures": 5,
            "lockout_ip_failures": 20,
            "lockout_base_seconds": 300,
            "lockout_max_seconds": 86400,
            "session_idle_minutes": 30,
        },
    )
    hint = password_hint()
    assert "至少 12 位" in hint and "至少 4 类" in hint
    assert hint in _registration_hint()


def test_similarity_and_numeric_messages_read_well_in_chinese():
    user = factories.citizen("zhangweiabc")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as similar:
        validate_password("Zhangweiabc1!", user)
    messages = " ".join(similar.value.messages)
    assert "密码与用户名过于相似" in messages
    assert "密码跟" not in messages
    with translation.override("zh-hans"), pytest.raises(ValidationError) as numeric:
        validate_password("83920174615")
    assert "密码不能全为数字" in numeric.value.messages
