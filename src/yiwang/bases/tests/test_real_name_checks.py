"""Real-name checks against the bases: registration of people (人口库) and companies (法人库)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import AssuranceLevel, IdentityCheck, User
from yiwang.accounts.services import create_legal_person_account, register_natural_person
from yiwang.bases.errors import BasesErrorCode
from yiwang.bases.models import CompanyStatus, PersonStatus
from yiwang.bases.reads import CompanyCheckOutcome, PersonCheckOutcome, check_company, check_person
from yiwang.bases.tests import factories
from yiwang.core.errors import DomainError
from yiwang.testing.accounts import citizen

pytestmark = pytest.mark.django_db

PASSWORD = "Hefei#2026abc"


@pytest.fixture(autouse=True)
def _frozen_and_no_sms(monkeypatch: pytest.MonkeyPatch) -> object:
    # The SMS code is tested in accounts; here every code is accepted.
    monkeypatch.setattr(
        "yiwang.accounts.services.registration.check_verification_code", lambda *args, **kwargs: None
    )
    with time_machine.travel("2026-12-01 10:00:00+08:00", tick=False) as traveller:
        yield traveller


def _register(real_name: str, id_number: str, username: str = "zhangwei") -> User:
    return register_natural_person(
        username=username,
        password=PASSWORD,
        real_name=real_name,
        id_number=id_number,
        phone="13912345678",
        sms_code="000000",
    )


# --- natural persons --------------------------------------------------------------------------------
def test_a_citizen_found_with_the_same_name_is_verified_at_once() -> None:
    person = factories.person(name="张 伟")  # blanks in a name do not matter
    user = _register("张伟", person.id_number)
    assert user.assurance_level == AssuranceLevel.PRIMARY
    check = IdentityCheck.objects.get(user=user)
    assert (check.provider, check.status) == ("bases-population", "passed")
    assert user.natural_person.verified_against_population_base


def test_a_citizen_found_with_another_name_is_refused() -> None:
    person = factories.person(name="李娜")
    with pytest.raises(DomainError) as refused:
        _register("张伟", person.id_number)
    assert refused.value.code == AccountErrorCode.IDENTITY_MISMATCH
    assert "real_name" in refused.value.fields
    assert not User.objects.filter(username="zhangwei").exists()


def test_a_deceased_citizen_is_refused() -> None:
    person = factories.person(status=PersonStatus.DECEASED)
    with pytest.raises(DomainError) as refused:
        _register("张伟", person.id_number)
    assert refused.value.code == BasesErrorCode.PERSON_DECEASED
    assert not User.objects.filter(username="zhangwei").exists()


def test_a_citizen_not_in_the_base_registers_as_before() -> None:
    user = _register("张伟", factories.id_number())
    check = IdentityCheck.objects.get(user=user)
    assert check.provider == "simulated-population"  # the configured provider, as before
    assert user.assurance_level == AssuranceLevel.PRIMARY  # the test profile's simulator answers at once


def test_check_person_outcomes() -> None:
    moved = factories.person(status=PersonStatus.MOVED_OUT, name="王芳")
    assert check_person("王芳", moved.id_number).outcome == PersonCheckOutcome.VERIFIED
    assert check_person("王芳", "not a number").outcome == PersonCheckOutcome.NOT_FOUND


# --- legal persons ----------------------------------------------------------------------------------
def _company_account(
    representative: User, credit_code: str, name: str, level: int = AssuranceLevel.INTERMEDIATE
) -> User:
    return create_legal_person_account(
        username="firm",
        password=PASSWORD,
        name=name,
        credit_code=credit_code,
        legal_representative=representative.natural_person,
        phone="13712345678",
        assurance_level=level,
    )


def _boss_in_base(**person: object) -> tuple[User, object]:
    boss = citizen("boss", level=AssuranceLevel.INTERMEDIATE, real_name="王总")
    row = factories.person(id_number=boss.natural_person.id_number, name="王总", **person)
    return boss, row


def test_a_confirmed_company_may_reach_the_high_level_with_its_representative() -> None:
    boss, row = _boss_in_base()
    company = factories.company(row, name="合肥星河餐饮管理有限公司", status=CompanyStatus.OPERATING)
    boss.advanced_until = timezone.now() + timedelta(minutes=10)  # just passed a face check
    boss.save(update_fields=["advanced_until"])
    firm = _company_account(boss, company.credit_code, "合肥星河餐饮管理有限公司")
    assert firm.assurance_level == AssuranceLevel.ADVANCED


def test_a_confirmed_company_keeps_the_level_asked_for_without_a_face_check() -> None:
    boss, row = _boss_in_base()
    company = factories.company(row, name="合肥星河餐饮管理有限公司")
    firm = _company_account(
        boss, company.credit_code, "合肥星河餐饮管理有限公司", level=AssuranceLevel.PRIMARY
    )
    assert firm.assurance_level == AssuranceLevel.INTERMEDIATE  # the representative's level


@pytest.mark.parametrize("status", [CompanyStatus.REVOKED, CompanyStatus.CANCELLED])
def test_a_revoked_or_cancelled_company_is_refused(status: str) -> None:
    boss, row = _boss_in_base()
    company = factories.company(row, name="合肥旧公司", status=status)
    with pytest.raises(DomainError) as refused:
        _company_account(boss, company.credit_code, "合肥旧公司")
    assert refused.value.code == BasesErrorCode.COMPANY_CLOSED
    assert not User.objects.filter(username="firm").exists()


def test_another_name_or_another_representative_is_refused() -> None:
    boss, row = _boss_in_base()
    company = factories.company(row, name="合肥星河餐饮管理有限公司")
    with pytest.raises(DomainError) as wrong_name:
        _company_account(boss, company.credit_code, "合肥银河餐饮管理有限公司")
    assert wrong_name.value.code == BasesErrorCode.COMPANY_NAME_MISMATCH
    stranger = factories.person(name="赵六")
    other = factories.company(stranger, name="合肥赵氏商贸有限公司")
    with pytest.raises(DomainError) as not_boss:
        _company_account(boss, other.credit_code, "合肥赵氏商贸有限公司")
    assert not_boss.value.code == AccountErrorCode.NOT_LEGAL_REPRESENTATIVE
    assert not_boss.value.status == 403


def test_a_company_not_in_the_base_registers_as_before() -> None:
    boss = citizen("boss", level=AssuranceLevel.INTERMEDIATE, real_name="王总")
    firm = _company_account(boss, factories.credit_code(), "合肥新公司", level=AssuranceLevel.PRIMARY)
    assert firm.assurance_level == AssuranceLevel.PRIMARY


def test_check_company_outcomes() -> None:
    row = factories.person(
        name="王总", birth_date=date(1980, 1, 1), id_number=factories.id_number(birth=date(1980, 1, 1))
    )
    moved = factories.company(row, name="合肥迁出公司", status=CompanyStatus.MOVED_OUT)
    verdict = check_company(
        moved.credit_code, "合肥迁出公司", representative_name="王总", representative_id_number=row.id_number
    )
    assert verdict.outcome == CompanyCheckOutcome.INACTIVE
    assert (
        check_company("bad", "x", representative_name="", representative_id_number="").outcome
        == CompanyCheckOutcome.NOT_FOUND
    )
