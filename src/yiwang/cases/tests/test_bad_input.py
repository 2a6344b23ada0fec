"""Bad input gets a clear 4xx in the one error shape and leaves no partial data."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.accounts.models import AssuranceLevel
from yiwang.cases.models import Case, CaseEvent, CaseMaterial
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import PNG_BYTES, make_citizen, pdf_upload
from yiwang.catalog.models import ItemStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def _apply(client, item, files=None, form=None, headers=None):
    materials = {m.name: str(m.public_id) for m in item.materials.all()}
    data = {
        "item_id": str(item.public_id),
        "form_data": json.dumps(form if form is not None else {"shop_name": "小店"}),
    }
    if files is None:
        files = {"营业执照": pdf_upload(), "经营场所证明": pdf_upload()}
    for name, upload in files.items():
        data[f"material_{materials[name]}"] = upload
    return client.post("/api/v1/cases", data, headers=headers or {})


def _assert_error_shape(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"]
    return body


def _nothing_stored(media_root):
    assert Case.objects.count() == 0
    assert CaseMaterial.objects.count() == 0
    assert CaseEvent.objects.count() == 0
    files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    assert files == []


def test_missing_mandatory_material_is_listed(item, citizen, media_root):
    body = _assert_error_shape(
        _apply(token_client(citizen), item, files={"营业执照": pdf_upload()}), 400, "missing_materials"
    )
    assert "经营场所证明" in body["message"]
    _nothing_stored(media_root)


def test_missing_required_form_field(item, citizen, media_root):
    body = _assert_error_shape(_apply(token_client(citizen), item, form={}), 400, "form_invalid")
    assert "shop_name" in body["fields"]
    _nothing_stored(media_root)


def test_malformed_form_data_json(item, citizen, media_root):
    client = token_client(citizen)
    response = client.post("/api/v1/cases", {"item_id": str(item.public_id), "form_data": "{not json"})
    _assert_error_shape(response, 400, "validation_error")
    _nothing_stored(media_root)


def test_forbidden_file_type(item, citizen, media_root):
    exe = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 10, content_type="application/octet-stream")
    _assert_error_shape(
        _apply(token_client(citizen), item, files={"营业执照": exe, "经营场所证明": pdf_upload()}),
        415,
        "file_type_forbidden",
    )
    _nothing_stored(media_root)


def test_renamed_file_with_wrong_content(item, citizen, media_root):
    fake_pdf = SimpleUploadedFile("licence.pdf", PNG_BYTES, content_type="application/pdf")
    _assert_error_shape(
        _apply(token_client(citizen), item, files={"营业执照": fake_pdf, "经营场所证明": pdf_upload()}),
        415,
        "file_content_mismatch",
    )
    _nothing_stored(media_root)


def test_oversized_file(item, citizen, media_root, settings):
    settings.YIWANG_UPLOAD_MAX_BYTES = 1024
    big = pdf_upload("big.pdf", b"%PDF-1.4\n" + b"0" * 2048)
    _assert_error_shape(
        _apply(token_client(citizen), item, files={"营业执照": big, "经营场所证明": pdf_upload()}),
        413,
        "file_too_large",
    )
    _nothing_stored(media_root)


def test_unknown_file_field(item, citizen, media_root):
    response = token_client(citizen).post(
        "/api/v1/cases", {"item_id": str(item.public_id), "form_data": "{}", "upload": pdf_upload()}
    )
    _assert_error_shape(response, 400, "validation_error")
    _nothing_stored(media_root)


def test_unknown_item(citizen):
    response = token_client(citizen).post("/api/v1/cases", {"item_id": "not-a-uuid"})
    _assert_error_shape(response, 404, "not_found")


def test_unpublished_item_cannot_be_applied_for(item, citizen, media_root):
    item.status = ItemStatus.WITHDRAWN
    item.save(update_fields=["status"])
    _assert_error_shape(_apply(token_client(citizen), item), 409, "item_not_available")
    _nothing_stored(media_root)


def test_assurance_level_too_low(item, media_root):
    item.required_assurance_level = AssuranceLevel.INTERMEDIATE
    item.save(update_fields=["required_assurance_level"])
    weak = make_citizen("weak", level=AssuranceLevel.PRIMARY)
    body = _assert_error_shape(_apply(token_client(weak), item), 403, "assurance_too_low")
    assert "提升认证等级" in body["message"]
    _nothing_stored(media_root)


def test_double_submit_with_same_idempotency_key_makes_one_case(item, citizen):
    client = token_client(citizen)
    first = _apply(client, item, headers={"Idempotency-Key": "k-1"})
    second = _apply(client, item, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["number"] == second.json()["number"]
    assert Case.objects.count() == 1
    # Files of the replayed request are not stored twice.
    assert CaseMaterial.objects.count() == 2


def test_wrong_state_action_is_a_conflict(item, citizen, clerk, approver):
    case_id = _apply(token_client(citizen), item).json()["id"]
    # Deciding before acceptance is refused.
    response = token_client(approver).post(
        f"/api/v1/workbench/cases/{case_id}/decide", {"approve": True}, content_type="application/json"
    )
    _assert_error_shape(response, 409, "invalid_transition")
    # Supplying corrections that were never requested is refused.
    response = token_client(citizen).post(f"/api/v1/cases/{case_id}/corrections", {})
    _assert_error_shape(response, 409, "invalid_transition")


def test_stale_lock_version_is_a_conflict(item, citizen, clerk):
    body = _apply(token_client(citizen), item).json()
    response = token_client(clerk).post(
        f"/api/v1/workbench/cases/{body['id']}/accept",
        {"lock_version": body["lock_version"] + 5},
        content_type="application/json",
    )
    _assert_error_shape(response, 409, "stale_case")


def test_validation_errors_use_the_error_shape(item, citizen, clerk):
    case_id = _apply(token_client(citizen), item).json()["id"]
    response = token_client(clerk).post(
        f"/api/v1/workbench/cases/{case_id}/request-correction",
        {"items": []},
        content_type="application/json",
    )
    body = _assert_error_shape(response, 422, "validation_error")
    assert "items" in body["fields"]


def test_correction_notice_must_name_known_materials(item, citizen, clerk):
    case_id = _apply(token_client(citizen), item).json()["id"]
    response = token_client(clerk).post(
        f"/api/v1/workbench/cases/{case_id}/request-correction",
        {"items": [{"material_id": "00000000-0000-0000-0000-000000000000", "reason": "x"}]},
        content_type="application/json",
    )
    _assert_error_shape(response, 400, "unknown_material")
    assert Case.objects.get(public_id=case_id).status == "submitted"


def test_second_notice_for_same_submission_is_refused(item, citizen, clerk):
    case_id = _apply(token_client(citizen), item).json()["id"]
    material_id = str(item.materials.first().public_id)
    staff = token_client(clerk)
    payload = {"items": [{"material_id": material_id, "reason": "不清晰"}]}
    assert (
        staff.post(
            f"/api/v1/workbench/cases/{case_id}/request-correction", payload, content_type="application/json"
        ).status_code
        == 200
    )
    again = staff.post(
        f"/api/v1/workbench/cases/{case_id}/request-correction", payload, content_type="application/json"
    )
    _assert_error_shape(again, 409, "invalid_transition")


def test_correction_must_supply_every_listed_material(item, citizen, clerk):
    client = token_client(citizen)
    case_id = _apply(client, item).json()["id"]
    materials = list(item.materials.all())
    token_client(clerk).post(
        f"/api/v1/workbench/cases/{case_id}/request-correction",
        {"items": [{"material_id": str(m.public_id), "reason": "补充"} for m in materials[:2]]},
        content_type="application/json",
    )
    partial = client.post(
        f"/api/v1/cases/{case_id}/corrections", {f"material_{materials[0].public_id}": pdf_upload()}
    )
    body = _assert_error_shape(partial, 400, "missing_materials")
    assert materials[1].name in body["message"]
    assert Case.objects.get(public_id=case_id).status == "correction_required"
    assert CaseMaterial.objects.filter(case__public_id=case_id).count() == 2


def test_form_and_material_gaps_are_reported_together(item, citizen, media_root):
    body = _assert_error_shape(
        _apply(token_client(citizen), item, form={}, files={"营业执照": pdf_upload()}), 400, "form_invalid"
    )
    assert "shop_name" in body["fields"]
    assert "经营场所证明" in body["message"]
    assert len(body["fields"]) == 2
    _nothing_stored(media_root)
