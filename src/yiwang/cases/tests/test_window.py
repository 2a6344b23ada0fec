"""窗口登记: a window clerk registers a walk-in applicant (existing citizen or a new offline applicant
record), channel window and registered_by recorded, the receipt (收件回执) issued; API parity."""

from __future__ import annotations

import json
from datetime import date

import pytest

from yiwang.accounts.models import AssuranceLevel, NaturalPerson
from yiwang.cases.models import Case, CaseDocument, CaseEvent, DocumentKind
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import pdf_upload
from yiwang.core.identifiers import make_id_number
from yiwang.core.models import Channel
from yiwang.testing.fixtures import logged_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]

WALK_IN_ID = make_id_number("340104", date(1985, 3, 8), 321)


def _post_data(item, **extra):
    data = {
        "item": str(item.public_id),
        "register": "1",
        "applicant_name": "李娜",
        "applicant_id_number": WALK_IN_ID,
        "applicant_phone": "13655510000",
        "form_shop_name": "李记面馆",
        "delivery_method": "window",
    }
    for material in item.materials.filter(mandatory=True):
        data[f"material_{material.public_id}"] = pdf_upload()
    data.update(extra)
    return data


def test_clerk_registers_a_new_walk_in_applicant(item, clerk):
    item.required_assurance_level = AssuranceLevel.ADVANCED  # the clerk checked the card in person
    item.online_apply = False  # window-only items can still be registered at the window
    item.save(update_fields=["required_assurance_level", "online_apply"])
    client = logged_in(clerk)
    assert client.get("/workbench/window/register/").status_code == 200
    form = client.get(f"/workbench/window/register/?item={item.public_id}").content.decode()
    assert "form_shop_name" in form
    response = client.post("/workbench/window/register/", _post_data(item))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert response["Location"] == f"/workbench/window/receipt/{case.public_id}/"
    assert case.channel == Channel.WINDOW and case.registered_by == clerk
    assert case.applicant_name == "李娜" and case.applicant_id_number == WALK_IN_ID
    person = NaturalPerson.objects.get(id_number=WALK_IN_ID)
    assert person.user == case.applicant and not person.verified_against_population_base
    assert not person.user.has_usable_password()
    assert case.form_data == {"shop_name": "李记面馆"}
    applied = CaseEvent.objects.get(case=case, sequence=1)
    assert applied.actor == clerk and applied.comment == "窗口代为登记"
    receipt = CaseDocument.objects.get(case=case, kind=DocumentKind.RECEIPT)
    page = client.get(response["Location"]).content.decode()
    assert case.number in page and f"/documents/{receipt.public_id}/" in page
    assert client.get(f"/workbench/cases/{case.public_id}/documents/{receipt.public_id}/").status_code == 200


def test_existing_citizen_is_found_and_name_checked(item, clerk, citizen):
    client = logged_in(clerk)
    id_number = citizen.natural_person.id_number
    page = client.get(f"/workbench/window/register/?lookup={id_number}").content.decode()
    assert "已找到账户" in page
    wrong = client.post(
        "/workbench/window/register/", _post_data(item, applicant_id_number=id_number, applicant_name="王五")
    )
    assert wrong.status_code == 400 and "姓名与该证件号码登记的姓名不一致" in wrong.content.decode()
    ok = client.post(
        "/workbench/window/register/", _post_data(item, applicant_id_number=id_number, applicant_name="张伟")
    )
    assert ok.status_code == 302
    assert Case.objects.get().applicant == citizen
    assert NaturalPerson.objects.count() == 1


def test_bad_identity_and_missing_material_are_clear_errors(item, clerk):
    client = logged_in(clerk)
    bad = client.post("/workbench/window/register/", _post_data(item, applicant_id_number="123"))
    assert bad.status_code == 400
    data = _post_data(item)
    data.pop(next(k for k in data if k.startswith("material_")))
    missing = client.post("/workbench/window/register/", data)
    assert missing.status_code == 400 and "缺少必要材料" in missing.content.decode()
    assert not Case.objects.exists()


def test_only_window_clerks_register(item, approver, citizen):
    assert logged_in(approver).get("/workbench/window/register/").status_code == 403
    response = logged_in(citizen).get("/workbench/window/register/")
    assert response.status_code == 403


def test_api_parity_for_clerks(item, clerk, approver, foreign_clerk):
    materials = {m.name: str(m.public_id) for m in item.materials.all()}

    def payload():
        return {
            "item_id": str(item.public_id),
            "form_data": json.dumps({"shop_name": "李记面馆"}),
            "applicant_name": "李娜",
            "applicant_id_number": WALK_IN_ID,
            "delivery_method": "window",
            f"material_{materials['营业执照']}": pdf_upload(),
            f"material_{materials['经营场所证明']}": pdf_upload(),
        }

    assert token_client(approver).post("/api/v1/cases", payload()).status_code == 403
    assert token_client(foreign_clerk).post("/api/v1/cases", payload()).status_code == 403
    response = token_client(clerk).post("/api/v1/cases", payload(), headers={"Idempotency-Key": "walk-in-1"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["channel"] == "window" and body["applicant_name"] == "李娜"
    assert [d["kind"] for d in body["documents"]] == ["receipt"]
    again = token_client(clerk).post("/api/v1/cases", payload(), headers={"Idempotency-Key": "walk-in-1"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Case.objects.count() == 1
    missing_identity = payload()
    missing_identity["applicant_name"] = ""
    assert token_client(clerk).post("/api/v1/cases", missing_identity).status_code == 400
