"""Registration: the "获取验证码" button (htmx or plain POST) and the SMS-verified sign-up."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from yiwang.accounts.models import AssuranceLevel, SmsOutboxMessage, User
from yiwang.core.identifiers import make_id_number

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def _code(phone=PHONE):
    message = SmsOutboxMessage.objects.filter(phone=phone).order_by("-created_at").first()
    assert message is not None
    match = re.search(r"(\d{6})", message.body)
    assert match
    return match.group(1)


def _form(**overrides):
    data = {
        "username": "wangfang",
        "real_name": "王芳",
        "id_number": make_id_number("340104", date(1992, 8, 1), 124),
        "phone": PHONE,
        "sms_code": "",
        "password": "Hefei#2026pass",
        "password2": "Hefei#2026pass",
    }
    data.update(overrides)
    return data


def test_register_page_has_the_sms_button(client):
    html = client.get(reverse("portal:register")).content.decode()
    assert 'hx-post="/register/sms/"' in html
    assert 'formaction="/register/sms/"' in html  # works without JavaScript too
    assert "获取验证码" in html
    for name in ("username", "real_name", "id_number", "phone", "sms_code", "password", "password2"):
        assert f'<label for="id_{name}">' in html
    assert "captcha" not in html.lower()


def test_sms_button_with_htmx_answers_a_status_line(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:register_sms"), {"phone": PHONE}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "验证码已发送至 139****5678" in html
    assert len(_code()) == 6
    again = client.post(reverse("portal:register_sms"), {"phone": PHONE}, headers={"HX-Request": "true"})
    assert again.status_code == 429
    assert "过于频繁" in again.content.decode()


def test_sms_button_without_javascript_keeps_the_form(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:register_sms"), _form())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "验证码已发送" in html
    assert 'value="王芳"' in html


def test_invalid_phone_is_reported_on_the_field(client):
    response = client.post(reverse("portal:register_sms"), {"phone": "12345"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_phone-error"' in html


def test_register_with_the_code_logs_in_at_primary_level(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:register_sms"), {"phone": PHONE}, headers={"HX-Request": "true"})
    response = client.post(reverse("portal:register"), _form(sms_code=_code()))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("portal:my_cases")
    user = User.objects.get(username="wangfang")
    assert user.assurance_level == AssuranceLevel.PRIMARY
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_code_and_password_mismatch_are_shown_by_the_fields(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:register_sms"), {"phone": PHONE}, headers={"HX-Request": "true"})
    response = client.post(reverse("portal:register"), _form(sms_code="000000"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_sms_code-error"' in html
    assert 'value="王芳"' in html
    assert 'value="Hefei#2026pass"' not in html  # passwords are never echoed back
    mismatch = client.post(reverse("portal:register"), _form(sms_code=_code(), password2="different"))
    assert mismatch.status_code == 400
    assert "两次输入的密码不一致" in mismatch.content.decode()
    assert not User.objects.filter(username="wangfang").exists()


def test_bad_id_number_is_reported(client):
    response = client.post(
        reverse("portal:register"), _form(id_number="340104199208011235", sms_code="123456")
    )
    assert response.status_code == 400
    assert 'id="id_id_number-error"' in response.content.decode()
