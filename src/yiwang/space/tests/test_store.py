"""The material store pages (/my/materials/) and API (/api/v1/space/materials…): list with filters
(htmx rows), detail with where it was used, upload, download; only the owner's entries (404 else);
e-licences listed live; query counts bounded."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from yiwang.core.models import AuditEvent
from yiwang.licences.models import TrustLevel
from yiwang.space.models import MaterialEntrySource, StoredMaterial
from yiwang.testing import accounts as account_factories
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for, pdf_upload
from yiwang.testing.space import stored_material

pytestmark = pytest.mark.django_db


def test_list_page_shows_the_owners_entries_with_filters(citizen_client, citizen, other_citizen, item):
    apply_for(item, citizen)
    stored_material(citizen, "身份证复印件", trust_level=TrustLevel.B, valid_until=date(2026, 1, 1))
    stored_material(other_citizen, "别人的材料")
    html = citizen_client.get(reverse("my_space:materials")).content.decode()
    assert "公司章程" in html and "身份证复印件" in html and "别人的材料" not in html
    rows = citizen_client.get(
        reverse("my_space:materials"), {"validity": "expired"}, headers={"HX-Request": "true"}
    )
    text = rows.content.decode()
    assert "<h1>" not in text and "身份证复印件" in text and "公司章程" not in text
    by_level = citizen_client.get(reverse("my_space:materials"), {"trust_level": "B"}).content.decode()
    assert "身份证复印件" in by_level and "公司章程" not in by_level
    bad = citizen_client.get(reverse("my_space:materials"), {"source": "<x>", "page": "99999999999"})
    assert bad.status_code == 200


def test_list_query_count_is_bounded(citizen_client, citizen, django_assert_max_num_queries):
    for n in range(30):
        stored_material(citizen, f"材料{n}")
    with django_assert_max_num_queries(14):
        response = citizen_client.get(reverse("my_space:materials"))
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        assert citizen_client.get("/api/v1/space/materials?limit=50").status_code == 200


def test_detail_shows_where_it_was_used_and_download(citizen_client, citizen, item):
    case = apply_for(item, citizen)
    entry = StoredMaterial.objects.get(owner=citizen, name="公司章程")
    html = citizen_client.get(reverse("my_space:material", args=[entry.public_id])).content.decode()
    assert case.number in html and "随办件提交" in html
    assert "暂不能删除" in html  # the case is not decided yet
    download = citizen_client.get(reverse("my_space:material_download", args=[entry.public_id]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"


def test_someone_elses_entry_is_404(citizen_client, other_citizen):
    entry = stored_material(other_citizen)
    assert citizen_client.get(reverse("my_space:material", args=[entry.public_id])).status_code == 404
    assert citizen_client.get(f"/api/v1/space/materials/{entry.public_id}").status_code == 404
    assert citizen_client.delete(f"/api/v1/space/materials/{entry.public_id}").status_code == 404


def test_upload_to_the_store_from_the_page(citizen_client, citizen):
    response = citizen_client.post(
        reverse("my_space:materials"),
        {"name": "学历证书", "valid_until": "2030-12-31", "file": pdf_upload("学历.pdf")},
    )
    assert response.status_code == 302
    entry = StoredMaterial.objects.get(owner=citizen, name="学历证书")
    assert entry.source == MaterialEntrySource.UPLOADED and entry.trust_level == TrustLevel.C
    assert entry.valid_until == date(2030, 12, 31)
    assert AuditEvent.objects.filter(action="space.material_uploaded").exists()


def test_upload_refuses_bad_input(citizen_client):
    missing = citizen_client.post(reverse("my_space:materials"), {"name": "学历证书"})
    assert missing.status_code == 400
    bad_type = citizen_client.post(
        reverse("my_space:materials"), {"name": "x", "file": pdf_upload("a.exe", b"MZ\x00\x00")}
    )
    assert 400 <= bad_type.status_code < 500
    bad_date = citizen_client.post(
        reverse("my_space:materials"), {"name": "x", "valid_until": "tomorrow", "file": pdf_upload()}
    )
    assert bad_date.status_code == 400


def test_api_list_detail_upload(citizen_client, citizen, item):
    apply_for(item, citizen)
    listing = citizen_client.get("/api/v1/space/materials", {"q": "章程"}).json()
    assert listing["count"] == 1 and listing["results"][0]["name"] == "公司章程"
    created = citizen_client.post(
        "/api/v1/space/materials", {"name": "户口本", "file": pdf_upload("户口本.pdf")}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["source"] == "uploaded" and body["allowed_actions"] == ["delete", "download"]
    detail = citizen_client.get(f"/api/v1/space/materials/{body['id']}").json()
    assert detail["used_in"] == []
    bad = citizen_client.get("/api/v1/space/materials", {"trust_level": "Z"})
    assert bad.status_code == 422 and bad.json()["code"]


def test_staff_cannot_use_the_applicant_api(clerk_client):
    response = clerk_client.get("/api/v1/space/materials")
    assert response.status_code == 403 and response.json()["code"] == "space_forbidden"


def test_company_store_for_its_representative_only(citizen, other_citizen):
    company = account_factories.company(citizen)
    entry = stored_material(company, "公司营业执照")
    code = company.legal_person.credit_code
    rep = logged_in(citizen)
    assert "公司营业执照" in rep.get(reverse("my_space:materials"), {"company": code}).content.decode()
    assert "公司营业执照" not in rep.get(reverse("my_space:materials")).content.decode()
    stranger = logged_in(other_citizen)
    assert stranger.get(reverse("my_space:materials"), {"company": code}).status_code == 404
    assert stranger.get(f"/api/v1/space/materials/{entry.public_id}", {"company": code}).status_code == 404


def test_licences_are_listed_live_from_the_wallet(citizen_client):
    response = citizen_client.get("/api/v1/space/licences")
    assert response.status_code == 200 and response.json() == []
