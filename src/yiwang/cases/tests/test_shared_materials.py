"""一证通办 on shared data: a shared material filled from the gateway at filing (logged, in the subject's
我的数据被谁使用), the fallback when the gateway refuses, and the prefilled form."""

from __future__ import annotations

import json

import pytest

from yiwang.cases import prefill as prefilling
from yiwang.cases.models import CaseEventType, CaseMaterialSource
from yiwang.cases.services import submit_application
from yiwang.cases.tests.factories import pdf_upload
from yiwang.core.models import PersonalDataAccess
from yiwang.sharing.models import CallResult, GatewayCall
from yiwang.testing.shared_world import make_shared_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time", "calendar")]


def test_shared_material_filled_from_gateway_at_filing():
    w = make_shared_world()
    case = submit_application(applicant=w.citizen, item=w.item, form_data={}, files={})
    row = case.materials.get()
    assert (row.source, row.trust_level, row.content_type) == (
        CaseMaterialSource.SHARED_DATA,
        "A",
        "application/json",
    )
    content = json.loads(row.file.read())
    call = GatewayCall.objects.get(public_id=content["gateway_call"])
    assert (call.result, call.case_number, call.purpose) == (CallResult.OK, case.number, f"办理{w.item.name}")
    assert call.consumer == w.consumer and call.subject_user == w.citizen
    assert content["data"]["household_region"] == w.citizen.natural_person.id_number[:6]
    applied = case.events.get(event_type=CaseEventType.APPLIED)
    assert applied.data["shared_data"][0]["gateway_call"] == str(call.public_id)
    # 我的数据被谁使用: the personal fields served are in the citizen's access record
    assert PersonalDataAccess.objects.filter(subject=w.citizen, object_label=case.number).exists()


def test_refused_call_is_logged_and_the_material_left_to_upload():
    w = make_shared_world(granted=["household_region"])  # the material asks for more than the grant
    case = submit_application(applicant=w.citizen, item=w.item, form_data={}, files={})
    assert not case.materials.exists()
    applied = case.events.get(event_type=CaseEventType.APPLIED)
    entry = applied.data["shared_data"][0]
    assert entry["result"] == "refused" and "授权" in entry["message"]
    assert GatewayCall.objects.get(public_id=entry["gateway_call"]).result == CallResult.REFUSED


def test_uploaded_file_wins_and_no_consumer_means_upload():
    w = make_shared_world()
    material = w.item.materials.get()
    case = submit_application(
        applicant=w.citizen, item=w.item, form_data={}, files={str(material.public_id): [pdf_upload()]}
    )
    assert case.materials.get().source == CaseMaterialSource.UPLOAD
    assert not GatewayCall.objects.exists()
    w.consumer.active = False
    w.consumer.save(update_fields=["active"])
    with pytest.raises(Exception) as refused:
        submit_application(applicant=w.citizen, item=w.item, form_data={}, files={})
    assert refused.value.code == "missing_materials"  # type: ignore[attr-defined]


def test_prefill_from_account_and_gateway():
    w = make_shared_world()
    found = prefilling.resolve(w.citizen, w.item).sources
    values = {key: (source.value, source.label) for key, source in found.items()}
    assert values["applicant_name"] == (w.citizen.natural_person.real_name, "实名账户")
    assert values["region"] == (w.citizen.natural_person.id_number[:6], "人口基础信息")
    assert GatewayCall.objects.get().result == CallResult.OK


def test_apply_page_shows_prefilled_values(client):
    w = make_shared_world()
    client.force_login(w.citizen)
    response = client.get(f"/items/{w.item.public_id}/apply/")
    assert response.status_code == 200
    page = response.content.decode()
    assert w.citizen.natural_person.id_number[:6] in page and "人口基础信息" in page
