"""The first end-to-end journey through the JSON API: apply → correct → accept → approve → result."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from pypdf import PdfReader

from yiwang.accounts.models import InboxMessage, SmsOutboxMessage
from yiwang.cases.models import Case, CaseEvent, CaseStatus
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import pdf_upload
from yiwang.core.audit import verify_chain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def _materials(item):
    return {str(m.name): str(m.public_id) for m in item.materials.all()}


def test_full_journey_through_the_api(item, citizen, clerk, approver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        number = _journey(item, citizen, clerk, approver)
    # Notifications are sent only after each transaction commits: one per applicant-facing step, and
    # the 好差评 invitation after completion.
    assert InboxMessage.objects.filter(user=citizen).count() == 6
    assert SmsOutboxMessage.objects.filter(phone=citizen.phone).count() == 6
    assert InboxMessage.objects.filter(user=citizen, link__startswith="/rate/").count() == 1
    assert verify_chain().ok
    assert CaseEvent.objects.filter(case__number=number).count() == 7  # … completed, delivered


def _journey(item, citizen, clerk, approver):
    applicant = token_client(citizen)
    materials = _materials(item)

    # The citizen finds the item and reads its guide (public endpoints).
    # Apply with form data and the mandatory materials.
    response = applicant.post(
        "/api/v1/cases",
        {
            "item_id": str(item.public_id),
            "form_data": json.dumps({"shop_name": "徽味小馆", "area": "85"}),
            f"material_{materials['营业执照']}": pdf_upload("licence.pdf"),
            f"material_{materials['经营场所证明']}": pdf_upload("lease.pdf"),
        },
        headers={"Idempotency-Key": "apply-1"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    number = body["number"]
    assert len(number) == 43
    assert number.startswith(item.implementation_code + "20260921")
    assert number.endswith("0001")
    assert body["status"] == "submitted"
    assert body["form_data"] == {"shop_name": "徽味小馆", "area": 85}
    assert [m["material_name"] for m in body["materials"]] == ["经营场所证明", "营业执照"]
    assert all(len(m["sha256"]) == 64 for m in body["materials"])
    case_id = body["id"]

    # The clerk sees it in his to-do list and asks for corrections, listing everything at once.
    staff = token_client(clerk)
    todo = staff.get("/api/v1/workbench/todo").json()
    assert [c["number"] for c in todo["items"]] == [number]
    response = staff.post(
        f"/api/v1/workbench/cases/{case_id}/request-correction",
        {
            "items": [
                {"material_id": materials["营业执照"], "reason": "复印件不清晰"},
                {"material_id": materials["委托书"], "reason": "由他人代办须提交委托书"},
            ],
            "comment": "请一次性补齐",
            "lock_version": body["lock_version"],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    after_notice = response.json()
    assert after_notice["status"] == "correction_required"
    assert [i["name"] for i in after_notice["correction_notice"]["items"]] == ["营业执照", "委托书"]

    # The applicant supplies both.
    response = applicant.post(
        f"/api/v1/cases/{case_id}/corrections",
        {
            f"material_{materials['营业执照']}": pdf_upload("licence-clear.pdf"),
            f"material_{materials['委托书']}": pdf_upload("power-of-attorney.pdf"),
        },
    )
    assert response.status_code == 200, response.content
    corrected = response.json()
    assert corrected["status"] == "submitted"
    superseded = [m for m in corrected["materials"] if m["superseded"]]
    assert [m["original_name"] for m in superseded] == ["licence.pdf"]

    # The clerk accepts: deadlines in working days, skipping National Day (Oct 1-8, 2026).
    response = staff.post(
        f"/api/v1/workbench/cases/{case_id}/accept", {"comment": "材料齐全"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    accepted = response.json()
    assert accepted["status"] == "accepted"
    # 10 working days from Mon 21 Sep 2026: 22-25, 28-30 Sep (7), then 9 Oct (Fri, after the
    # holiday), Sat 10 Oct is a make-up workday (9), Mon 12 Oct (10).
    assert date.fromisoformat(accepted["due_date"]) == date(2026, 10, 12)

    # The approver approves; the case is completed with a PDF result.
    approve = token_client(approver)
    assert [c["number"] for c in approve.get("/api/v1/workbench/todo").json()["items"]] == [number]
    response = approve.post(
        f"/api/v1/workbench/cases/{case_id}/decide",
        {"approve": True, "comment": "同意"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    done = response.json()
    assert done["status"] == "completed"
    assert done["outcome"] == "approved"
    assert done["result_url"]

    # The applicant sees the timeline and downloads the result.
    detail = applicant.get(f"/api/v1/cases/{case_id}").json()
    assert [e["event_type"] for e in detail["events"]] == [
        "applied",
        "correction_requested",
        "correction_supplied",
        "accepted",
        "approved",
        "completed",
        "delivered",  # electronic delivery, recorded at completion
    ]
    assert all(e["actor"] and e["channel"] == "api" for e in detail["events"])
    pdf = applicant.get(done["result_url"])
    assert pdf.status_code == 200
    content = b"".join(pdf.streaming_content)
    assert content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert number in text

    return number


def test_refusal_generates_notice_with_appeal_rights(item, citizen, clerk, approver):
    materials = _materials(item)
    applicant = token_client(citizen)
    case_id = applicant.post(
        "/api/v1/cases",
        {
            "item_id": str(item.public_id),
            "form_data": json.dumps({"shop_name": "小店"}),
            f"material_{materials['营业执照']}": pdf_upload(),
            f"material_{materials['经营场所证明']}": pdf_upload(),
        },
    ).json()["id"]
    token_client(clerk).post(f"/api/v1/workbench/cases/{case_id}/accept", {}, content_type="application/json")
    refused = token_client(approver).post(
        f"/api/v1/workbench/cases/{case_id}/decide",
        {"approve": False, "comment": "经营场所不符合卫生要求"},
        content_type="application/json",
    )
    assert refused.status_code == 200
    assert refused.json()["outcome"] == "refused"
    case = Case.objects.get(public_id=case_id)
    text = "".join(p.extract_text() for p in PdfReader(case.result_document.open("rb")).pages)
    assert "行政复议" in text


def test_session_auth_needs_csrf_and_works_with_it(item, citizen):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    assert client.get("/api/v1/cases").status_code == 200
    refused = client.post(f"/api/v1/cases/{item.public_id}/withdraw", {}, content_type="application/json")
    assert refused.status_code in (401, 403)


def test_clerk_refuses_acceptance_with_reason(item, citizen, clerk):
    materials = _materials(item)
    case_id = (
        token_client(citizen)
        .post(
            "/api/v1/cases",
            {
                "item_id": str(item.public_id),
                "form_data": json.dumps({"shop_name": "小店"}),
                f"material_{materials['营业执照']}": pdf_upload(),
                f"material_{materials['经营场所证明']}": pdf_upload(),
            },
        )
        .json()["id"]
    )
    staff = token_client(clerk)
    missing_reason = staff.post(
        f"/api/v1/workbench/cases/{case_id}/refuse-acceptance",
        {"reason": ""},
        content_type="application/json",
    )
    assert missing_reason.status_code == 422
    assert missing_reason.json()["code"] == "validation_error"
    response = staff.post(
        f"/api/v1/workbench/cases/{case_id}/refuse-acceptance",
        {"reason": "不属于本机关职权范围"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.NOT_ACCEPTED
    assert response.json()["result_url"]


def test_public_status_lookup(item, citizen):
    materials = _materials(item)
    body = (
        token_client(citizen)
        .post(
            "/api/v1/cases",
            {
                "item_id": str(item.public_id),
                "form_data": json.dumps({"shop_name": "小店"}),
                f"material_{materials['营业执照']}": pdf_upload(),
                f"material_{materials['经营场所证明']}": pdf_upload(),
            },
        )
        .json()
    )
    from django.test import Client

    tail = citizen.natural_person.id_number[-4:]
    ok = Client().get("/api/v1/cases/status", {"number": body["number"], "id_tail": tail})
    assert ok.status_code == 200
    assert ok.json()["status"] == "submitted"
    wrong = Client().get(
        "/api/v1/cases/status", {"number": body["number"], "id_tail": "0000" if tail != "0000" else "1111"}
    )
    assert wrong.status_code == 404
    assert wrong.json()["code"] == "not_found"


def test_withdraw_by_applicant(item, citizen):
    materials = _materials(item)
    applicant = token_client(citizen)
    case_id = applicant.post(
        "/api/v1/cases",
        {
            "item_id": str(item.public_id),
            "form_data": json.dumps({"shop_name": "小店"}),
            f"material_{materials['营业执照']}": pdf_upload(),
            f"material_{materials['经营场所证明']}": pdf_upload(),
        },
    ).json()["id"]
    response = applicant.post(
        f"/api/v1/cases/{case_id}/withdraw", {"reason": "不再需要"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    again = applicant.post(f"/api/v1/cases/{case_id}/withdraw", {}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
