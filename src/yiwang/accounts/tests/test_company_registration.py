"""法人注册: a verified legal representative registers his company through the portal page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from yiwang.accounts.models import AccountKind, AssuranceLevel, LegalPerson, SmsOutboxMessage, User
from yiwang.accounts.tests import factories
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/my/company/register/"
PHONE = "13955550123"
CREDIT_CODE = make_credit_code("9", "1", "340100", "MA2XY001")


def _code_for(phone: str) -> str:
    message = SmsOutboxMessage.objects.filter(phone=phone).order_by("-created_at").first()
    assert message is not None
    match = re.search(r"验证码为 (\d{6})", message.body)
    assert match
    return match.group(1)


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "合肥星河餐饮管理有限公司",
        "credit_code": CREDIT_CODE,
        "username": "xinghe",
        "phone": PHONE,
        "sms_code": "",
        "password": "Xinghe@2026a",
        "password2": "Xinghe@2026a",
    }
    data.update(overrides)
    return data


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_representative_registers_the_company_with_an_sms_code(django_capture_on_commit_callbacks):
    boss = factories.citizen("boss", level=AssuranceLevel.INTERMEDIATE, real_name="王总")
    client = _client_for(boss)
    page = client.get(URL)
    assert page.status_code == 200 and "统一社会信用代码" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(URL, {**_form(), "send_sms": "1"})
    assert sent.status_code == 200 and "验证码已发送" in sent.content.decode()
    response = client.post(URL, _form(sms_code=_code_for(PHONE)))
    assert response.status_code == 302 and response["Location"] == "/my/agents/"
    company = LegalPerson.objects.get(credit_code=CREDIT_CODE)
    assert company.legal_representative == boss.natural_person
    assert company.user.kind == AccountKind.LEGAL
    assert company.user.assurance_level == AssuranceLevel.INTERMEDIATE
    assert AuditEvent.objects.filter(action="account.legal_created").exists()
    # the representative may now authorise agents for it
    assert company.name in client.get("/my/agents/").content.decode()


def test_unverified_person_is_told_to_upgrade_and_nothing_is_created():
    anonymous = factories.citizen("anon", level=AssuranceLevel.ANONYMOUS)
    client = _client_for(anonymous)
    response = client.post(URL, _form(sms_code="123456"))
    assert response.status_code == 403
    assert "实名认证" in response.content.decode()
    assert not LegalPerson.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"credit_code": "91340100MA2XYZ0010"}, "credit_code"),
        ({"password2": "different"}, "password2"),
        ({"sms_code": "000000"}, "sms_code"),
    ],
)
def test_bad_input_is_refused_with_the_form_kept(overrides, field):
    boss = factories.citizen("boss", level=AssuranceLevel.PRIMARY)
    client = _client_for(boss)
    client.post(URL, {**_form(), "send_sms": "1"})
    response = client.post(URL, _form(**overrides))
    assert 400 <= response.status_code < 500
    html = response.content.decode()
    assert "合肥星河餐饮管理有限公司" in html  # nothing typed is lost
    assert f'id="id_{field}-error"' in html or field in html
    assert not LegalPerson.objects.exists()


def test_a_taken_credit_code_is_refused(django_capture_on_commit_callbacks):
    boss = factories.citizen("boss", level=AssuranceLevel.PRIMARY)
    existing = factories.company(boss)
    client = _client_for(boss)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {**_form(), "send_sms": "1"})
    response = client.post(
        URL, _form(credit_code=existing.legal_person.credit_code, sms_code=_code_for(PHONE))
    )
    assert response.status_code == 409
    assert LegalPerson.objects.count() == 1


def test_company_and_staff_accounts_cannot_register_companies(department):
    boss = factories.citizen("boss", level=AssuranceLevel.PRIMARY)
    company = factories.company(boss)
    response = _client_for(company).post(URL, _form(sms_code="123456"))
    assert response.status_code == 403
    assert _client_for(boss).get(URL).status_code == 200
    assert Client().get(URL).status_code == 302  # anonymous visitors are sent to log in
