"""Registration with an SMS code (初级实名), and the refusals it must give."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from yiwang.accounts.models import AssuranceLevel, NaturalPerson, SmsOutboxMessage, User
from yiwang.core.identifiers import make_id_number

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
VALID_ID = make_id_number("340104", date(1990, 5, 12), 123)


def _code_for(phone: str) -> str:
    message = SmsOutboxMessage.objects.filter(phone=phone).order_by("-created_at").first()
    assert message is not None
    match = re.search(r"验证码为 (\d{6})", message.body)
    assert match
    return match.group(1)


def _send(client: Client, phone: str = PHONE):
    return client.post("/api/v1/accounts/sms-codes", {"phone": phone}, content_type="application/json")


def _register(client: Client, **overrides):
    payload = {
        "username": "zhangsan",
        "password": "Hefei#2026abc",
        "real_name": "张三",
        "id_number": VALID_ID,
        "phone": PHONE,
        "sms_code": "000000",
    }
    payload.update(overrides)
    return client.post("/api/v1/accounts/register", payload, content_type="application/json")


def test_register_with_sms_code(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(client).status_code == 202
    response = _register(client, sms_code=_code_for(PHONE))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assurance_level"] == AssuranceLevel.PRIMARY
    assert body["phone"] == "138****5678"
    user = User.objects.get(username="zhangsan")
    assert user.password.startswith("argon2") or user.password.startswith("md5")
    assert NaturalPerson.objects.get(user=user).id_number == VALID_ID
    # The code is single-use.
    again = _register(
        client,
        username="other",
        id_number=make_id_number("340104", date(1991, 1, 1), 5),
        sms_code=_code_for(PHONE),
    )
    assert again.status_code == 400
    assert again.json()["code"] == "sms_code_invalid"


def test_wrong_and_expired_codes(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _send(client)
    code = _code_for(PHONE)
    wrong = "111111" if code != "111111" else "222222"
    response = _register(client, sms_code=wrong)
    assert response.status_code == 400
    assert response.json()["code"] == "sms_code_invalid"
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        expired = _register(client, sms_code=code)
    assert expired.status_code == 400
    assert expired.json()["code"] == "sms_code_expired"
    assert not User.objects.filter(username="zhangsan").exists()


def test_five_wrong_codes_burn_the_code(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _send(client)
    code = _code_for(PHONE)
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(5):
        _register(client, sms_code=wrong)
    response = _register(client, sms_code=code)
    assert response.status_code == 400
    assert "次数过多" in response.json()["message"]


def test_sms_rate_limit():
    client = Client()
    assert _send(client).status_code == 202
    second = _send(client)
    assert second.status_code == 429
    assert second.json()["code"] == "sms_rate_limited"


@pytest.mark.parametrize(
    ("id_number", "fragment"),
    [
        ("1101051949123100", "18"),
        ("11010519491231002Y", "无效"),
        ("110105194913310021", "日期"),
        ("110105194912310021", "校验"),
    ],
)
def test_malformed_id_numbers_are_refused_precisely(id_number, fragment):
    response = _register(Client(), id_number=id_number)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_id_number"
    assert fragment in body["message"]
    assert "id_number" in body["fields"]


@pytest.mark.parametrize("phone", ["12345", "23812345678", "1381234567a", "138123456789"])
def test_malformed_phone_numbers_are_refused(phone):
    response = _send(Client(), phone)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_phone"


def test_weak_password_is_refused(django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        _send(client)
    response = _register(client, password="12345678", sms_code=_code_for(PHONE))
    assert response.status_code == 400
    assert response.json()["code"] == "weak_password"
    assert not User.objects.filter(username="zhangsan").exists()


def test_schema_errors_use_the_error_shape():
    response = Client().post("/api/v1/accounts/register", {"username": "x"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert "password" in body["fields"]
