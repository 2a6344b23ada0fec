"""Capture: a case's materials and its result enter the owner's store, idempotently; e-licences and
reused entries are not copied; a company's case fills the company's store."""

from __future__ import annotations

import pytest

from yiwang.cases.models import CaseMaterial
from yiwang.cases.services import accept_case, applicant_acting_for, decide_case, submit_application
from yiwang.licences.models import TrustLevel
from yiwang.space.models import MaterialEntrySource, StoredMaterial
from yiwang.space.services import capture_case_materials, capture_case_result
from yiwang.testing import accounts as account_factories
from yiwang.testing.portal import apply_for, materials_by_name, pdf_upload

pytestmark = pytest.mark.django_db


def test_applying_puts_the_materials_in_the_applicants_store(item, citizen):
    case = apply_for(item, citizen)
    entries = list(StoredMaterial.objects.filter(owner=citizen).order_by("name"))
    materials = {m.material_name: m for m in CaseMaterial.objects.filter(case=case)}
    assert {e.name for e in entries} == set(materials)
    for entry in entries:
        row = materials[entry.name]
        assert entry.source == MaterialEntrySource.SUBMITTED
        assert entry.trust_level == TrustLevel.C
        assert entry.case_id == case.pk and entry.case_material_id == row.pk
        assert entry.file.name == row.file.name and entry.sha256 == row.sha256  # a reference, no copy
        assert entry.material_id == row.material_id


def test_capture_is_idempotent(item, citizen):
    case = apply_for(item, citizen)
    before = StoredMaterial.objects.filter(owner=citizen).count()
    capture_case_materials(case)
    capture_case_materials(case)
    assert StoredMaterial.objects.filter(owner=citizen).count() == before


def test_the_result_enters_the_store_at_trust_level_a(
    item, citizen, clerk, approver, django_capture_on_commit_callbacks
):
    case = apply_for(item, citizen)
    with django_capture_on_commit_callbacks(execute=True):
        case = accept_case(case, actor=clerk)
        case = decide_case(case, actor=approver, approve=True, comment="同意")
    result = StoredMaterial.objects.get(owner=citizen, source=MaterialEntrySource.RESULT)
    assert result.case_id == case.pk
    assert result.trust_level == TrustLevel.A
    assert result.file.name == case.result_document.name and result.sha256 == case.result_sha256
    assert capture_case_result(case).pk == result.pk  # idempotent
    assert StoredMaterial.objects.filter(owner=citizen, source=MaterialEntrySource.RESULT).count() == 1


def test_a_company_case_fills_the_companys_store(item, citizen):
    company = account_factories.company(citizen)
    applicant, agent = applicant_acting_for(citizen, company.legal_person.credit_code)
    files = {str(m.public_id): [pdf_upload()] for m in item.materials.filter(mandatory=True)}
    submit_application(
        applicant=applicant,
        acting_agent=agent,
        item=item,
        form_data={
            "company_name": "合肥徽创科技有限公司",
            "registered_capital": "100",
            "company_type": "有限责任公司",
        },
        files=files,
    )
    assert StoredMaterial.objects.filter(owner=company).count() == len(files)
    assert not StoredMaterial.objects.filter(owner=citizen).exists()


def test_materials_named_by_catalogue_match(item, citizen):
    apply_for(item, citizen)
    names = materials_by_name(item)
    entry = StoredMaterial.objects.get(owner=citizen, name="公司章程")
    assert entry.material_id == names["公司章程"].pk
