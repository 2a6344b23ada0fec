"""Deletion and retention: refused while a case using the entry is undecided (its origin case or a
case it was reused in), otherwise soft, audited, and the case keeps its copy."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from yiwang.cases.models import CaseMaterial
from yiwang.cases.services import accept_case, decide_case, withdraw_case
from yiwang.core.models import AuditEvent
from yiwang.space.models import StoredMaterial
from yiwang.space.services import delete_material
from yiwang.testing.portal import apply_for
from yiwang.testing.space import stored_material

pytestmark = pytest.mark.django_db


def test_delete_refused_while_the_origin_case_is_undecided(citizen_client, citizen, item):
    case = apply_for(item, citizen)
    entry = StoredMaterial.objects.get(owner=citizen, name="公司章程")
    response = citizen_client.delete(f"/api/v1/space/materials/{entry.public_id}")
    assert response.status_code == 409
    assert response.json()["code"] == "space_material_in_use"
    assert case.number in response.json()["message"]
    page = citizen_client.post(reverse("my_space:material_delete", args=[entry.public_id]))
    assert page.status_code == 409
    entry.refresh_from_db()
    assert entry.deleted_at is None


def test_delete_after_the_decision_is_soft_and_keeps_the_cases_copy(
    citizen_client, citizen, item, clerk, approver, django_capture_on_commit_callbacks
):
    case = apply_for(item, citizen)
    with django_capture_on_commit_callbacks(execute=True):
        decide_case(accept_case(case, actor=clerk), actor=approver, approve=True, comment="同意")
    entry = StoredMaterial.objects.get(owner=citizen, name="公司章程")
    response = citizen_client.post(reverse("my_space:material_delete", args=[entry.public_id]))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.deleted_at is not None and entry.deleted_by == citizen
    assert AuditEvent.objects.filter(action="space.material_deleted").count() == 1
    row = CaseMaterial.objects.get(pk=entry.case_material_id)
    assert default_storage.exists(row.file.name)
    assert citizen_client.get(reverse("my_space:material", args=[entry.public_id])).status_code == 404
    assert "公司章程" not in citizen_client.get(reverse("my_space:materials")).content.decode()
    again = citizen_client.delete(f"/api/v1/space/materials/{entry.public_id}")
    assert again.status_code == 404


def test_an_entry_reused_in_an_undecided_case_is_kept(citizen, item):
    entry = stored_material(citizen, "公司章程")
    case = apply_for(item, citizen)
    CaseMaterial.objects.filter(case=case, material_name="公司章程").update(store_reference=entry.public_id)
    with pytest.raises(Exception) as refused:
        delete_material(entry, actor=citizen)
    assert getattr(refused.value, "code", "") == "space_material_in_use"
    withdraw_case(case, applicant=citizen, reason="不办了")
    assert delete_material(entry, actor=citizen).deleted_at is not None


def test_an_uploaded_entry_can_be_deleted_at_once(citizen_client, citizen):
    entry = stored_material(citizen, "旧材料")
    assert citizen_client.delete(f"/api/v1/space/materials/{entry.public_id}").status_code == 204
    assert StoredMaterial.objects.get(pk=entry.pk).deleted_at is not None
