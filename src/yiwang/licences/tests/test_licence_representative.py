"""办结出证 data: the 法定代表人（负责人） of a licence issued to a company is the company's registered
legal representative, not the company's name; for a natural person it is the applicant."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from yiwang.accounts.models import AssuranceLevel
from yiwang.cases.licence_issuing import case_licence_data
from yiwang.licences.models import LicenceType
from yiwang.testing import accounts as factories

pytestmark = pytest.mark.django_db

FOOD_FIELDS = [
    {"name": "number", "label": "许可证编号", "type": "text", "required": True},
    {"name": "legal_representative", "label": "法定代表人（负责人）", "type": "text", "required": True},
    {"name": "address", "label": "经营场所", "type": "text", "required": True},
]


def _case(applicant, name):
    return SimpleNamespace(
        applicant=applicant,
        applicant_id=applicant.pk,
        applicant_name=name,
        number="N1",
        item=SimpleNamespace(name="食品经营许可"),
        handling_organisation=SimpleNamespace(name="合肥市市场监督管理局"),
        form_data={"address": "合肥市包河区徽州大道 1 号"},
        completed_at=None,
    )


def test_company_licence_names_its_legal_representative():
    boss = factories.citizen("boss", level=AssuranceLevel.INTERMEDIATE, real_name="王建国")
    company = factories.company(boss)
    food = LicenceType(name="食品经营许可证", fields=FOOD_FIELDS, template={})
    data = case_licence_data(food, _case(company, company.legal_person.name))
    assert data["legal_representative"] == "王建国"
    assert data["legal_representative"] != company.legal_person.name
    person = factories.citizen("shopkeeper", real_name="李个体")
    assert case_licence_data(food, _case(person, "李个体"))["legal_representative"] == "李个体"
