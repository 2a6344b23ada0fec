"""Account creation for each kind of user, tokens and login."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from yiwang.accounts.models import AccountKind, mask_id_number, mask_phone
from yiwang.accounts.services import (
    create_legal_person_account,
    create_natural_person_account,
    create_staff_account,
    staff_roles,
)
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import make_credit_code, make_id_number
from yiwang.testing.cases import OrganisationFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Hefei#2026abc"


def _person(username: str = "p1", seq: int = 1):
    return create_natural_person_account(
        username=username,
        password=PASSWORD,
        real_name="张伟",
        id_number=make_id_number("340104", date(1990, 5, 12), seq),
        phone=f"1380000{seq:04d}",
    )


def test_legal_person_bound_to_representative():
    rep = _person()
    company = create_legal_person_account(
        username="huichuang",
        password=PASSWORD,
        name="合肥徽创科技有限公司",
        credit_code=make_credit_code("9", "1", "340100", "MA2T0001"),
        legal_representative=rep.natural_person,
        phone="13800009999",
    )
    assert company.kind == AccountKind.LEGAL
    assert company.legal_person.legal_representative == rep.natural_person


def test_malformed_credit_code_is_refused():
    rep = _person()
    with pytest.raises(DomainError) as excinfo:
        create_legal_person_account(
            username="bad",
            password=PASSWORD,
            name="某公司",
            credit_code="91350100M000100Y44",
            legal_representative=rep.natural_person,
            phone="13800009998",
        )
    assert excinfo.value.code == "invalid_credit_code"
    assert "credit_code" in excinfo.value.fields


def test_duplicate_id_number_and_phone_are_refused():
    _person("p1", 1)
    with pytest.raises(DomainError) as excinfo:
        create_natural_person_account(
            username="p2",
            password=PASSWORD,
            real_name="张伟",
            id_number=make_id_number("340104", date(1990, 5, 12), 1),
            phone="13900000000",
        )
    assert excinfo.value.code == "id_number_taken"
    with pytest.raises(DomainError) as excinfo:
        create_natural_person_account(
            username="p3",
            password=PASSWORD,
            real_name="李四",
            id_number=make_id_number("340104", date(1991, 5, 12), 2),
            phone="13800000001",
        )
    assert excinfo.value.code == "phone_taken"


def test_staff_roles_and_unknown_role():
    org = OrganisationFactory()
    clerk = create_staff_account(
        username="c", password=PASSWORD, real_name="李娜", organisation=org, roles=["window_clerk"]
    )
    assert staff_roles(clerk) == {"window_clerk"}
    with pytest.raises(DomainError):
        create_staff_account(
            username="d", password=PASSWORD, real_name="x", organisation=org, roles=["emperor"]
        )


def test_token_endpoint_and_me():
    _person("citizen", 7)
    client = Client()
    bad = client.post(
        "/api/v1/accounts/token", {"username": "citizen", "password": "nope"}, content_type="application/json"
    )
    assert bad.status_code == 401
    assert bad.json()["code"] == "invalid_credentials"
    token = client.post(
        "/api/v1/accounts/token",
        {"username": "citizen", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 201
    me = Client(headers={"Authorization": f"Bearer {token.json()['token']}"}).get("/api/v1/accounts/me")
    assert me.status_code == 200
    assert me.json()["username"] == "citizen"
    assert me.json()["phone"] == "138****0007"


def test_masking():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
