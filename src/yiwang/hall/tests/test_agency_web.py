"""帮办代办 pages (/workbench/hall/agency/) and API (/api/v1/hall/agency…): list with the principal
masked (the unmasked view logged), record with the letter, detail, revoke, apply on behalf; the
citizen's list and revoke through the API; a bounded number of queries on the lists."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client

from yiwang.cases.models import Case
from yiwang.core.masking import mask_id_number
from yiwang.core.models import PersonalDataAccess
from yiwang.hall.models import AgencyAuthorisation, AgencyKind, AgencyStatus
from yiwang.hall.tests.test_agency_services import FORM, PRINCIPAL_ID, TODAY, record
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import pdf_upload

BASE = "/workbench/hall/agency/"
API = "/api/v1/hall/agency"


def client_for(user: Any) -> Client:
    return logged_in(user)


def test_index_lists_masked_and_logs_the_unmasked_view(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        record(world)
    c = client_for(world.clerk)
    c.get(BASE)  # warm the session and the caches
    with django_assert_max_num_queries(25):
        page = c.get(BASE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "王芳" not in text and PRINCIPAL_ID not in text
    assert mask_id_number(PRINCIPAL_ID) in text
    before = PersonalDataAccess.objects.filter(unmasked=True).count()
    full = c.get(BASE + "?show=1").content.decode()
    assert PRINCIPAL_ID in full
    assert PersonalDataAccess.objects.filter(unmasked=True).count() == before + 3
    assert client_for(world.citizen).get(BASE).status_code in (302, 403)
    assert client_for(world.manager).get(BASE).status_code == 403


def test_record_page_with_the_letter(world: Any) -> None:
    c = client_for(world.clerk)
    response = c.post(
        BASE + "record/",
        {
            "kind": "help",
            "principal_name": "王芳",
            "principal_id_number": PRINCIPAL_ID,
            "principal_phone": "13900001111",
            "agent": "clerk_ps",
            "items": [str(world.police_item.public_id)],
            "valid_from": TODAY.isoformat(),
            "valid_until": (TODAY + timedelta(days=10)).isoformat(),
            "evidence": pdf_upload("授权书.pdf"),
        },
    )
    a = AgencyAuthorisation.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"{a.public_id}/")
    assert a.agent == world.police_clerk and a.evidence_sha256
    bad = c.post(BASE + "record/", {"kind": "help", "principal_name": "王芳", "principal_id_number": "123"})
    assert bad.status_code == 400 and "委托人" in bad.content.decode()


def test_detail_apply_on_behalf_and_revoke_pages(world: Any) -> None:
    a = record(world, item_public_ids=[world.police_item.public_id])
    c = client_for(world.police_clerk)
    page = c.get(f"{BASE}{a.public_id}/?item={world.police_item.public_id}")
    assert page.status_code == 200 and "为委托人登记申请" in page.content.decode()
    form = {f"form_{k}": v for k, v in FORM.items()}
    response = c.post(
        f"{BASE}{a.public_id}/apply/",
        {"item": str(world.police_item.public_id), "delivery_method": "window", **form},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    a.refresh_from_db()
    assert a.case_public_ids == [str(case.public_id)]
    assert case.number in c.get(f"{BASE}{a.public_id}/").content.decode()
    # another item than the one authorised
    refused = c.post(f"{BASE}{a.public_id}/apply/", {"item": str(world.market_item.public_id)})
    assert refused.status_code == 403
    # staff of the hall who is not the agent sees the detail but no apply form
    other = client_for(world.clerk).get(f"{BASE}{a.public_id}/").content.decode()
    assert "为委托人登记申请" not in other
    assert c.post(f"{BASE}{a.public_id}/revoke/", {"reason": "当事人要求"}).status_code == 302
    a.refresh_from_db()
    assert a.status == AgencyStatus.REVOKED
    assert client_for(world.manager).get(f"{BASE}{a.public_id}/").status_code in (403, 404)


def test_api_staff_create_list_get_revoke(world: Any, django_assert_max_num_queries: Any) -> None:
    c = client_for(world.clerk)
    created = c.post(
        API,
        {
            "kind": "agency",
            "principal_name": world.citizen.natural_person.real_name,
            "principal_id_number": world.citizen.natural_person.id_number,
            "agent": "citizen2",
            "item_ids": str(world.market_item.public_id),
            "valid_from": TODAY.isoformat(),
            "valid_until": (TODAY + timedelta(days=90)).isoformat(),
            "evidence": pdf_upload("letter.pdf"),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "agency" and body["has_evidence"] and body["principal"]["id_number"].count("*") > 0
    for _ in range(3):
        record(world)
    c.get(API)
    with django_assert_max_num_queries(20):
        listed = c.get(API)
    assert listed.status_code == 200 and listed.json()["count"] == 4
    one = c.get(f"{API}/{body['id']}?unmask=true").json()
    assert one["principal"]["id_number"] == world.citizen.natural_person.id_number
    bad_date = c.post(
        API,
        {
            "kind": "help",
            "principal_name": "王芳",
            "principal_id_number": PRINCIPAL_ID,
            "valid_from": "tomorrow",
            "valid_until": "2027-01-01",
        },
    )
    assert bad_date.status_code == 400 and bad_date.json()["fields"].get("valid_from")
    revoked = c.post(
        f"{API}/{body['id']}/revoke", json.dumps({"reason": "登记有误"}), content_type="application/json"
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert client_for(world.manager).post(API, {}).status_code == 403


def test_api_citizen_sees_own_applies_as_agent_and_revokes(world: Any) -> None:
    a = record(
        world,
        kind=AgencyKind.AGENCY,
        principal_name=world.citizen.natural_person.real_name,
        principal_id_number=world.citizen.natural_person.id_number,
        agent=world.citizen2,
    )
    other = record(world)
    principal = client_for(world.citizen)
    rows = principal.get(API).json()
    assert (
        rows["count"] == 1
        and rows["results"][0]["principal"]["id_number"] == world.citizen.natural_person.id_number
    )
    agent = client_for(world.citizen2)
    mine = agent.get(API).json()
    assert mine["count"] == 1 and mine["results"][0]["allowed_actions"] == ["apply"]
    assert agent.get(f"{API}/{other.public_id}").status_code == 404
    applied = agent.post(
        f"{API}/{a.public_id}/apply",
        {"item_id": str(world.market_item.public_id), "form_data": json.dumps(FORM)},
    )
    # the authorisation lets the citizen agent through; the application itself lacks its materials
    assert applied.status_code == 400 and applied.json()["code"] != "hall_agency_invalid"
    assert (
        agent.post(
            f"{API}/{a.public_id}/revoke", json.dumps({"reason": "x"}), content_type="application/json"
        ).status_code
        == 403
    )
    ok = principal.post(
        f"{API}/{a.public_id}/revoke", json.dumps({"reason": "不再需要"}), content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "revoked"


def test_api_help_apply_by_the_staff_agent(world: Any) -> None:
    a = record(world)
    c = client_for(world.police_clerk)
    response = c.post(
        f"{API}/{a.public_id}/apply",
        {"item_id": str(world.police_item.public_id), "form_data": json.dumps(FORM)},
        HTTP_IDEMPOTENCY_KEY="agency-1",
    )
    assert response.status_code == 201, response.content
    assert response.json()["authorisation"] == str(a.public_id)
    assert c.post(f"{API}/{a.public_id}/apply", {"item_id": "nope"}).status_code == 404
    assert (
        client_for(world.clerk)
        .post(f"{API}/{a.public_id}/apply", {"item_id": str(world.police_item.public_id)})
        .status_code
        == 403
    )
