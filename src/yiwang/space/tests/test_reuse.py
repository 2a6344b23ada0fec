"""用已有的: the apply page offers fitting stored materials with trust level and validity; choosing
one files it without an upload (source material_store, the entry's trust level and reference);
the clerk sees where it came from; what is not the applicant's or no longer valid is refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from yiwang.cases.models import Case, CaseMaterial, CaseMaterialSource
from yiwang.licences.models import TrustLevel
from yiwang.space.models import StoredMaterial
from yiwang.testing.portal import materials_by_name, pdf_upload
from yiwang.testing.space import stored_material

pytestmark = pytest.mark.django_db

FORM = {
    "field_company_name": "合肥徽创科技有限公司",
    "field_registered_capital": "100",
    "field_company_type": "有限责任公司",
    "delivery_method": "electronic",
}


def _data(item, key, **extra):
    names = materials_by_name(item)
    data = {
        **FORM,
        "idempotency_key": key,
        f"material_{names['公司登记（备案）申请书'].public_id}": pdf_upload("申请书.pdf"),
        f"material_{names['住所使用证明'].public_id}": pdf_upload("住所.pdf"),
    }
    data.update(extra)
    return data


def test_apply_page_offers_the_stored_material_with_trust_level_and_validity(citizen_client, citizen, item):
    charter = materials_by_name(item)["公司章程"]
    entry = stored_material(
        citizen, "公司章程", material=charter, trust_level=TrustLevel.B, valid_until=date(2027, 1, 31)
    )
    stored_material(citizen, "公司章程", valid_until=date(2026, 1, 1))  # expired: not offered
    html = citizen_client.get(reverse("portal:apply", args=[item.public_id])).content.decode()
    assert f'name="store_{charter.public_id}"' in html
    assert f'value="{entry.public_id}"' in html
    assert "可信等级 B" in html and "有效期至 2027-01-31" in html
    assert html.count(f'name="store_{charter.public_id}"') == 2  # the entry and "upload instead"


def test_choosing_a_stored_material_files_it_without_upload(citizen_client, citizen, item, clerk_client):
    charter = materials_by_name(item)["公司章程"]
    entry = stored_material(citizen, "公司章程", material=charter, trust_level=TrustLevel.B)
    response = citizen_client.post(
        reverse("portal:apply", args=[item.public_id]),
        _data(item, "reuse-1", **{f"store_{charter.public_id}": str(entry.public_id)}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(applicant=citizen)
    reused = CaseMaterial.objects.get(case=case, material=charter)
    assert reused.source == CaseMaterialSource.MATERIAL_STORE
    assert reused.trust_level == TrustLevel.B
    assert reused.store_reference == entry.public_id
    assert reused.sha256 == entry.sha256 and reused.file.name != entry.file.name  # the case's own copy
    applied = case.events.get(sequence=1)
    assert applied.data["material_store"][0]["reference"] == str(entry.public_id)
    # not captured again into the store
    assert StoredMaterial.objects.filter(owner=citizen, case_material=reused).count() == 0
    html = clerk_client.get(reverse("workbench:case_detail", args=[case.public_id])).content.decode()
    assert "材料库复用" in html and str(entry.public_id) in html


def test_another_persons_entry_is_refused(citizen_client, other_citizen, item):
    charter = materials_by_name(item)["公司章程"]
    foreign = stored_material(other_citizen, "公司章程", material=charter)
    response = citizen_client.post(
        reverse("portal:apply", args=[item.public_id]),
        _data(item, "reuse-2", **{f"store_{charter.public_id}": str(foreign.public_id)}),
    )
    assert response.status_code == 400
    assert "材料库材料不可用" in response.content.decode()
    assert not Case.objects.exists()


def test_an_expired_or_deleted_entry_is_refused(citizen_client, citizen, item):
    charter = materials_by_name(item)["公司章程"]
    expired = stored_material(citizen, "公司章程", material=charter, valid_until=date(2026, 9, 20))
    response = citizen_client.post(
        reverse("portal:apply", args=[item.public_id]),
        _data(item, "reuse-3", **{f"store_{charter.public_id}": str(expired.public_id)}),
    )
    assert response.status_code == 400


def test_a_bad_choice_value_is_a_400(citizen_client, item):
    charter = materials_by_name(item)["公司章程"]
    response = citizen_client.post(
        reverse("portal:apply", args=[item.public_id]),
        _data(item, "reuse-4", **{f"store_{charter.public_id}": "nope"}),
    )
    assert response.status_code == 400


def test_an_upload_wins_over_the_choice(citizen_client, citizen, item):
    charter = materials_by_name(item)["公司章程"]
    entry = stored_material(citizen, "公司章程", material=charter)
    data = _data(item, "reuse-5", **{f"store_{charter.public_id}": str(entry.public_id)})
    data[f"material_{charter.public_id}"] = pdf_upload("章程.pdf")
    assert citizen_client.post(reverse("portal:apply", args=[item.public_id]), data).status_code == 302
    row = CaseMaterial.objects.get(material=charter)
    assert row.source == CaseMaterialSource.UPLOAD and row.store_reference is None
