"""表单预填 on the e-form: bindings in the definition's custom properties, the API's consent variant
(授权调取共享数据预填: recorded, audited, the gateway call logged with it and its purpose) and locked
fields that the filing keeps at the server's value."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.cases import prefill
from yiwang.cases.services import submit_application
from yiwang.catalog.forms import flatten
from yiwang.core.models import AuditEvent
from yiwang.sharing.models import CallResult, GatewayCall, PrefillConsent
from yiwang.testing.clients import token_client
from yiwang.testing.people import make_staff
from yiwang.testing.shared_world import make_shared_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time", "calendar")]


def _text(key: str, prefill_to: str = "", locked: bool = False, **extra: Any) -> dict[str, Any]:
    props = {"prefill": prefill_to} if prefill_to else {}
    if locked:
        props["prefillLocked"] = "true"
    return {"type": "textfield", "key": key, "label": key, "input": True, "properties": props, **extra}


def _world_with_form() -> Any:
    w = make_shared_world()
    definition = {
        "display": "form",
        "components": [
            {
                "type": "panel",
                "key": "who",
                "label": "申请人",
                "components": [
                    _text("fullName", "applicant:name", locked=True),
                    _text("birth", "bases.population:birth_date", locked=True),
                ],
            },
            _text("region", "bases.population:household_region"),
            _text("shop"),
        ],
    }
    w.item.form_definition = definition
    w.item.form_fields = flatten(definition)
    w.item.save(update_fields=["form_definition", "form_fields"])
    return w


def test_bindings_come_from_the_definition():
    w = _world_with_form()
    assert [(b.key, b.locked) for b in prefill.bindings(w.item)] == [
        ("fullName", True),
        ("birth", True),
        ("region", False),
    ]


def test_api_offers_consent_and_the_consent_variant_prefills_personal_data():
    w = _world_with_form()
    client = token_client(w.citizen)
    url = f"/api/v1/cases/apply-form/{w.item.public_id}"
    body = client.get(url).json()
    assert body["consent_needed"] is True and body["consent_resources"] == [w.resource.code]
    assert body["definition"]["components"][0]["key"] == "who"
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["birth"]["value"] is None
    assert fields["fullName"]["source"]["locked"] is True
    answer = client.post(f"{url}/consent")
    assert answer.status_code == 200, answer.content.decode()
    body = answer.json()
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["birth"]["value"] and fields["birth"]["source"]["kind"] == "shared"
    consent = PrefillConsent.objects.get(user=w.citizen)
    assert consent.item_ref == str(w.item.public_id) and "预填申请表" in consent.purpose
    call = GatewayCall.objects.get(public_id=fields["birth"]["source"]["gateway_call"])
    assert call.consent == consent and call.result == CallResult.OK and call.purpose == consent.purpose
    assert AuditEvent.objects.filter(action="sharing.prefill_consent.granted").count() == 1
    # the consent stands for a while: the GET now fills the personal field too
    assert client.get(url).json()["consent_needed"] is False


def test_staff_cannot_consent():
    w = _world_with_form()
    staff = make_staff(w.world.market, "pc_clerk", ("window_clerk",))
    response = token_client(staff).post(f"/api/v1/cases/apply-form/{w.item.public_id}/consent")
    assert response.status_code == 403
    assert set(response.json()) >= {"code", "message"}
    assert not PrefillConsent.objects.exists()


def test_locked_fields_keep_the_prefilled_value_at_filing():
    w = _world_with_form()
    person = w.citizen.natural_person
    case = submit_application(
        applicant=w.citizen,
        item=w.item,
        form_data={"fullName": "冒名顶替", "region": "340111", "shop": "小店"},
        files={},
    )
    assert case.form_data["fullName"] == person.real_name  # locked: the server's value
    assert case.form_data["region"] == "340111"  # not locked: the applicant may correct it
    assert case.form_data["shop"] == "小店"


def test_apply_page_shows_sources_and_takes_consent(client):
    w = _world_with_form()
    client.force_login(w.citizen)
    url = f"/items/{w.item.public_id}/apply/"
    page = client.get(url).content.decode()
    person = w.citizen.natural_person
    assert "授权调取共享数据预填" in page and 'name="prefill_consent"' in page
    assert person.real_name in page and "实名账户" in page and "依法不可修改" in page
    answer = client.post(url, {"prefill_consent": "1"})
    assert answer.status_code == 302 and answer["Location"].endswith(url)
    consent = PrefillConsent.objects.get(user=w.citizen)
    page = client.get(url).content.decode()
    assert 'name="prefill_consent"' not in page  # consent given: the personal field is prefilled
    call = GatewayCall.objects.filter(consent=consent).get()
    assert call.purpose == f"办理{w.item.name}（预填申请表）" and call.result == CallResult.OK
