"""材料库复用 through the API: ``POST /api/v1/cases`` takes ``store_<material id>`` = a store entry,
as the apply page does (the cases API reaches the store through the hook the space connects)."""

from __future__ import annotations

import json

import pytest

from yiwang.cases.models import Case, CaseMaterial, CaseMaterialSource
from yiwang.licences.models import TrustLevel
from yiwang.testing.portal import materials_by_name, pdf_upload
from yiwang.testing.space import stored_material

pytestmark = pytest.mark.django_db

FORM_DATA = {
    "company_name": "合肥徽创科技有限公司",
    "registered_capital": "100",
    "company_type": "有限责任公司",
}


def _post(client, item, key, **extra):
    names = materials_by_name(item)
    data = {
        "item_id": str(item.public_id),
        "form_data": json.dumps(FORM_DATA, ensure_ascii=False),
        f"material_{names['公司登记（备案）申请书'].public_id}": pdf_upload("申请书.pdf"),
        f"material_{names['住所使用证明'].public_id}": pdf_upload("住所.pdf"),
        **extra,
    }
    return client.post("/api/v1/cases", data, headers={"Idempotency-Key": key})


def test_the_api_files_a_store_entry_without_upload(citizen_client, citizen, item):
    charter = materials_by_name(item)["公司章程"]
    entry = stored_material(citizen, "公司章程", material=charter, trust_level=TrustLevel.B)
    response = _post(
        citizen_client, item, "api-reuse-1", **{f"store_{charter.public_id}": str(entry.public_id)}
    )
    assert response.status_code == 201, response.content.decode()[:2000]
    reused = CaseMaterial.objects.get(case__applicant=citizen, material=charter)
    assert reused.source == CaseMaterialSource.MATERIAL_STORE
    assert (reused.trust_level, reused.store_reference) == (TrustLevel.B, entry.public_id)


def test_the_api_refuses_someone_elses_entry_and_a_bad_id(citizen_client, other_citizen, item):
    charter = materials_by_name(item)["公司章程"]
    foreign = stored_material(other_citizen, "公司章程", material=charter)
    response = _post(
        citizen_client, item, "api-reuse-2", **{f"store_{charter.public_id}": str(foreign.public_id)}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "space_reuse_invalid"
    response = _post(citizen_client, item, "api-reuse-3", **{f"store_{charter.public_id}": "not-a-uuid"})
    assert response.status_code == 400 and set(response.json()) == {"code", "message", "fields"}
    assert not Case.objects.exists()
