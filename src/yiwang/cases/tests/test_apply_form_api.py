"""The applicant's form API (GET /api/v1/cases/apply-form/{item}): prefilled values with their source
(the real-name account, or a base resource with the gateway call that served it), as the portal's
apply page shows them; and who may ask (applicants only)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from yiwang.sharing.models import CallResult, GatewayCall
from yiwang.testing.clients import token_client
from yiwang.testing.shared_world import make_shared_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time", "calendar")]


def url(item_id: object) -> str:
    return f"/api/v1/cases/apply-form/{item_id}"


def test_prefilled_values_name_their_source():
    w = make_shared_world()
    response = token_client(w.citizen).get(url(w.item.public_id))
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    fields = {field["name"]: field for field in body["fields"]}
    person = w.citizen.natural_person
    assert fields["applicant_name"]["value"] == person.real_name
    assert fields["applicant_name"]["source"] == {
        "kind": "profile",
        "label": "实名账户",
        "resource_code": "",
        "gateway_call": "",
        "locked": False,
    }
    call = GatewayCall.objects.get()
    assert call.result == CallResult.OK and call.purpose.endswith("（预填申请表）")
    assert fields["region"]["value"] == person.id_number[:6]
    assert fields["region"]["source"] == {
        "kind": "shared",
        "label": "人口基础信息",
        "resource_code": w.resource.code,
        "gateway_call": str(call.public_id),
        "locked": False,
    }
    material = body["materials"][0]
    assert material["source_kind"] == "shared" and material["from_shared_data"] is True
    assert material["shared_fields"] == ["name", "household_region", "status", "birth_date"]
    # the same values and sources as the apply page
    client = Client()
    client.force_login(w.citizen)
    page = client.get(f"/items/{w.item.public_id}/apply/").content.decode()
    assert person.id_number[:6] in page and "人口基础信息" in page


def test_nothing_prefilled_without_the_platform_system():
    w = make_shared_world()
    w.consumer.active = False
    w.consumer.save(update_fields=["active"])
    body = token_client(w.citizen).get(url(w.item.public_id)).json()
    fields = {field["name"]: field for field in body["fields"]}
    assert fields["region"]["value"] is None and fields["region"]["source"] is None
    assert fields["applicant_name"]["source"]["kind"] == "profile"
    assert body["materials"][0]["from_shared_data"] is False  # asked for as an upload
    assert not GatewayCall.objects.exists()


def test_who_may_ask():
    w = make_shared_world()
    assert Client().get(url(w.item.public_id)).status_code == 401
    assert token_client(w.world.market_official).get(url(w.item.public_id)).status_code == 403
    assert token_client(w.citizen).get(url(uuid.uuid4())).status_code == 404
    assert token_client(w.citizen).get(url("not-a-uuid")).status_code in (404, 422)
    w.item.status = "withdrawn"
    w.item.save(update_fields=["status"])
    assert token_client(w.citizen).get(url(w.item.public_id)).status_code == 404
    assert not GatewayCall.objects.exists()
