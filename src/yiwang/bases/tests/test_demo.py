"""The demo bases hold the demo accounts' people and companies, so the real-name checks pass."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import AssuranceLevel
from yiwang.accounts.services import create_legal_person_account, create_natural_person_account
from yiwang.bases.models import Company, Person
from yiwang.bases.reads import CompanyCheckOutcome, check_company, check_person, lookup_company
from yiwang.demo.bases import COMPANY_NAME, demo_citizen, demo_company, load_bases_demo
from yiwang.testing.accounts import region

pytestmark = pytest.mark.django_db


def test_demo_bases_include_the_demo_citizen_and_company() -> None:
    region("3401")
    region("340104", "蜀山区")
    report = load_bases_demo(persons=40, companies=15)
    assert "基础库" in str(report) and report.regions == 3
    load_bases_demo(persons=40, companies=15)  # idempotent
    citizen, company = demo_citizen(), demo_company(demo_citizen())
    assert Person.objects.filter(id_number=citizen.id_number).count() == 1
    assert check_person("张伟", citizen.id_number).outcome == "verified"
    found = lookup_company(company.credit_code, ["name", "legal_representative", "status"])
    assert found == {"name": COMPANY_NAME, "legal_representative": "张伟", "status": "existing"}
    assert Company.objects.filter(type="organ").count() >= 10
    user = create_natural_person_account(
        username="citizen",
        password="Yiwang@2026",
        real_name="张伟",
        id_number=citizen.id_number,
        phone="13800000001",
        assurance_level=AssuranceLevel.INTERMEDIATE,
    )
    verdict = check_company(
        company.credit_code,
        COMPANY_NAME,
        representative_name="张伟",
        representative_id_number=citizen.id_number,
    )
    assert verdict.outcome == CompanyCheckOutcome.VERIFIED
    firm = create_legal_person_account(
        username="company",
        password="Yiwang@2026",
        name=COMPANY_NAME,
        credit_code=company.credit_code,
        legal_representative=user.natural_person,
        phone="13800000002",
        assurance_level=AssuranceLevel.INTERMEDIATE,
    )
    assert firm.assurance_level == AssuranceLevel.INTERMEDIATE
