"""Lifecycle variants: 即办件, 告知承诺 (verification / revocation), 容缺受理, 延长, 特别程序, 终止."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yiwang.accounts.models import InboxMessage, User
from yiwang.cases import process, variants
from yiwang.cases.models import CaseEventType, CaseOutcome, CaseStatus, ExtensionStatus
from yiwang.cases.services import accept_case, decide_case
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import ServiceItemFactory, make_staff, pdf_upload, submit_case
from yiwang.catalog.models import CaseKind, ServiceItem
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.workflow import services as workflow
from yiwang.workflow.models import ProcessStatus, WorkItemStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def events(case: Any) -> list[str]:
    return list(case.events.order_by("sequence").values_list("event_type", flat=True))


@pytest.fixture
def definitions(db: None) -> None:
    workflow.install_default_definitions()


@pytest.fixture
def handler(department: Organisation) -> User:
    return make_staff(department, "handler", ("handler",))


@pytest.fixture
def head(department: Organisation) -> User:
    return make_staff(department, "head", ("approver",))


# --- 即办件 --------------------------------------------------------------------------------------
def test_instant_item_is_completed_at_acceptance(definitions, department, citizen, clerk, calendar):
    item = ServiceItemFactory(
        implementing_body=department, case_kind=CaseKind.INSTANT, committed_limit_days=0
    )
    case = accept_case(submit_case(item, citizen), actor=clerk)
    assert case.status == CaseStatus.COMPLETED and case.outcome == CaseOutcome.APPROVED
    assert case.result_document and case.completed_at is not None
    assert events(case) == ["applied", "accepted", "approved", "completed", "delivered"]
    assert case.events.get(event_type="approved").data == {"instant": True}
    instance = process.process_of(case)
    assert instance is not None and instance.status == ProcessStatus.COMPLETED
    assert not instance.work_items.filter(status__in=[WorkItemStatus.OPEN, WorkItemStatus.CLAIMED]).exists()


def test_instant_item_without_process_is_completed_too(department, citizen, clerk, calendar):
    item = ServiceItemFactory(
        implementing_body=department, case_kind=CaseKind.INSTANT, committed_limit_days=0
    )
    response = token_client(clerk).post(
        f"/api/v1/workbench/cases/{submit_case(item, citizen).public_id}/accept",
        {},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "completed" and response.json()["outcome"] == "approved"


# --- 告知承诺 ------------------------------------------------------------------------------------
@pytest.fixture
def commitment_item(department: Organisation, calendar: None) -> ServiceItem:
    return ServiceItemFactory(implementing_body=department, commitment_approval=True)


def test_commitment_approval_then_confirmed(definitions, commitment_item, citizen, clerk, approver):
    case = accept_case(submit_case(commitment_item, citizen), actor=clerk)
    response = token_client(approver).post(
        f"/api/v1/workbench/cases/{case.public_id}/approve-on-commitment",
        {"verification_days": 20, "lock_version": case.lock_version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "completed" and body["commitment_based"] is True
    assert body["verification_due_date"] == "2026-10-26"  # 20 working days after Mon 21 Sep
    assert process.process_of(case).status == ProcessStatus.COMPLETED
    todo = token_client(approver).get("/api/v1/workbench/verifications").json()
    assert [row["number"] for row in todo["items"]] == [case.number]
    case.refresh_from_db()
    confirmed = variants.verify_commitment(case, actor=approver, truthful=True, comment="现场核查属实")
    assert confirmed.status == CaseStatus.COMPLETED and confirmed.verified_at is not None
    assert events(case)[-1] == CaseEventType.COMMITMENT_VERIFIED
    assert token_client(approver).get("/api/v1/workbench/verifications").json()["count"] == 0
    with pytest.raises(Conflict):  # verified once only
        variants.verify_commitment(confirmed, actor=approver, truthful=False, comment="再次核查")


def test_false_commitment_revokes_the_approval(
    commitment_item, citizen, clerk, approver, django_capture_on_commit_callbacks
):
    case = accept_case(submit_case(commitment_item, citizen), actor=clerk)
    case = variants.approve_on_commitment(case, actor=approver)
    with pytest.raises(DomainError) as excinfo:
        variants.verify_commitment(case, actor=approver, truthful=False, comment="")
    assert excinfo.value.code == "reason_required"
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(approver).post(
            f"/api/v1/workbench/cases/{case.public_id}/verify-commitment",
            {"truthful": False, "comment": "经营场所与承诺不符"},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "revoked"
    assert events(case)[-1] == CaseEventType.APPROVAL_REVOKED
    assert InboxMessage.objects.filter(user=citizen, body__contains="撤销该许可").exists()


def test_commitment_approval_needs_the_item_flag(item, citizen, clerk, approver):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    response = token_client(approver).post(
        f"/api/v1/workbench/cases/{case.public_id}/approve-on-commitment", {}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "variant_not_allowed"


# --- 容缺受理 ------------------------------------------------------------------------------------
def test_gap_acceptance_blocks_decision_until_supplied(
    item, citizen, clerk, approver, django_capture_on_commit_callbacks
):
    case = submit_case(item, citizen)
    licence = item.materials.get(name="委托书")
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(clerk).post(
            f"/api/v1/workbench/cases/{case.public_id}/accept-with-gap",
            {"items": [{"material_id": str(licence.public_id), "reason": "原件待补"}], "days": 5},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["status"] == "accepted" and body["gap_deadline"] == "2026-09-29"
    )  # 22–24, 28, 29 Sep (25 中秋)
    assert [g["name"] for g in body["gap_items"]] == ["委托书"]
    assert InboxMessage.objects.filter(user=citizen, body__contains="容缺").exists()
    decided = token_client(approver).post(
        f"/api/v1/workbench/cases/{case.public_id}/decide", {"approve": True}, content_type="application/json"
    )
    assert decided.status_code == 409 and decided.json()["code"] == "decision_blocked"
    # nothing else than the listed material is accepted as the supply
    other = item.materials.get(name="营业执照")
    wrong = token_client(citizen).post(
        f"/api/v1/cases/{case.public_id}/gap-materials", {f"material_{other.public_id}": pdf_upload()}
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "missing_materials"
    with time_machine.travel("2026-09-30 10:00:00+08:00", tick=False):
        case.refresh_from_db()
        from yiwang.cases.clock import gap_overdue

        assert gap_overdue(case)
        supplied = token_client(citizen).post(
            f"/api/v1/cases/{case.public_id}/gap-materials", {f"material_{licence.public_id}": pdf_upload()}
        )
    assert supplied.status_code == 200, supplied.content
    assert supplied.json()["gap_resolved_at"] is not None and supplied.json()["gap_overdue"] is False
    assert case.events.get(event_type="gap_supplied").data["late"] is True
    case.refresh_from_db()
    assert decide_case(case, actor=approver, approve=True).status == CaseStatus.COMPLETED


def test_gap_supply_by_someone_else_is_not_found(item, citizen, other_citizen, clerk):
    case = submit_case(item, citizen)
    material = item.materials.get(name="委托书")
    variants.accept_with_gap(case, actor=clerk, items=[{"material_id": str(material.public_id)}])
    response = token_client(other_citizen).post(
        f"/api/v1/cases/{case.public_id}/gap-materials", {f"material_{material.public_id}": pdf_upload()}
    )
    assert response.status_code == 404


# --- 延长 ----------------------------------------------------------------------------------------
def test_extension_request_and_approval(item, citizen, clerk, handler, head):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    response = token_client(handler).post(
        f"/api/v1/workbench/cases/{case.public_id}/extension",
        {"days": 10, "reason": "需组织现场核查", "lock_version": case.lock_version},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["extensions"][0]["status"] == "pending"
    # the handler cannot approve his own request (no approver role), the approver does
    denied = token_client(handler).post(
        f"/api/v1/workbench/cases/{case.public_id}/extension/decide",
        {"approve": True},
        content_type="application/json",
    )
    assert denied.status_code == 403 and denied.json()["code"] == "role_required"
    approved = token_client(head).post(
        f"/api/v1/workbench/cases/{case.public_id}/extension/decide",
        {"approve": True, "comment": "同意"},
        content_type="application/json",
    )
    assert approved.status_code == 200
    assert approved.json()["extension_days"] == 10
    assert approved.json()["statutory_due_date"] == "2026-11-09"
    assert events(case)[-2:] == ["extension_requested", "extension_approved"]
    again = token_client(handler).post(
        f"/api/v1/workbench/cases/{case.public_id}/extension",
        {"days": 5, "reason": "再次延长"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "extension_not_allowed"


def test_extension_limits_and_self_approval(item, citizen, clerk, approver, handler):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    with pytest.raises(DomainError) as excinfo:
        variants.request_extension(case, actor=handler, days=11, reason="太长")
    assert excinfo.value.code == "extension_not_allowed"
    variants.request_extension(case, actor=approver, days=5, reason="需补充调查")
    with pytest.raises(DomainError) as excinfo:  # the requester may not approve himself
        variants.decide_extension(case, actor=approver, approve=True)
    assert excinfo.value.status == 403


def test_rejected_extension_keeps_deadline_and_allows_new_request(item, citizen, clerk, handler, head):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    variants.request_extension(case, actor=handler, days=10, reason="理由")
    with pytest.raises(DomainError):
        variants.decide_extension(case, actor=head, approve=False, comment="")
    variants.decide_extension(case, actor=head, approve=False, comment="理由不充分")
    case.refresh_from_db()
    assert case.extension_days == 0 and case.extensions.get().status == ExtensionStatus.REJECTED
    variants.request_extension(case, actor=handler, days=3, reason="补充理由")


def test_joint_items_may_extend_by_fifteen(department, citizen, clerk, handler, calendar):
    item = ServiceItemFactory(implementing_body=department, process_departments=["a", "b"])
    case = accept_case(submit_case(item, citizen), actor=clerk)
    assert variants.request_extension(case, actor=handler, days=15, reason="联合办理").days == 15


# --- 特别程序 ------------------------------------------------------------------------------------
def test_special_procedure_start_end_and_decision_guard(item, citizen, clerk, handler, approver):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    client = token_client(handler)
    bad = client.post(
        f"/api/v1/workbench/cases/{case.public_id}/special-procedures",
        {"kind": "party", "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    started = client.post(
        f"/api/v1/workbench/cases/{case.public_id}/special-procedures",
        {"kind": "hearing", "reason": "申请人要求听证"},
        content_type="application/json",
    )
    assert started.status_code == 200, started.content
    assert started.json()["clock_paused"] is True
    assert started.json()["special_procedures"][0]["kind_label"] == "听证"
    twice = client.post(
        f"/api/v1/workbench/cases/{case.public_id}/special-procedures",
        {"kind": "testing", "reason": "再检测"},
        content_type="application/json",
    )
    assert twice.status_code == 409
    case.refresh_from_db()
    with pytest.raises(Conflict) as excinfo:
        decide_case(case, actor=approver, approve=True)
    assert excinfo.value.code == "decision_blocked"
    ended = client.post(
        f"/api/v1/workbench/cases/{case.public_id}/special-procedures/end",
        {"result": "听证结束，维持原申请"},
        content_type="application/json",
    )
    assert ended.status_code == 200 and ended.json()["clock_paused"] is False
    proc = ended.json()["special_procedures"][0]
    assert proc["ended_at"] and proc["result"] == "听证结束，维持原申请"
    assert events(case)[-2:] == ["special_procedure_started", "special_procedure_ended"]
    case.refresh_from_db()
    assert decide_case(case, actor=approver, approve=True).status == CaseStatus.COMPLETED


def test_end_without_start_is_a_conflict(item, citizen, clerk, handler):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    response = token_client(handler).post(
        f"/api/v1/workbench/cases/{case.public_id}/special-procedures/end",
        {"result": "结束"},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


# --- 终止 ----------------------------------------------------------------------------------------
def test_termination_by_approver(
    definitions, item, citizen, clerk, approver, django_capture_on_commit_callbacks
):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(approver).post(
            f"/api/v1/workbench/cases/{case.public_id}/terminate",
            {"reason": "申请人营业执照已被吊销", "lock_version": case.lock_version},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "terminated"
    assert events(case)[-1] == "terminated"
    assert process.process_of(case).status == ProcessStatus.TERMINATED
    assert InboxMessage.objects.filter(user=citizen, body__contains="终止").exists()
    again = token_client(approver).post(
        f"/api/v1/workbench/cases/{case.public_id}/terminate",
        {"reason": "再次"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_termination_needs_approver_and_reason(item, citizen, clerk, approver):
    case = submit_case(item, citizen)
    with pytest.raises(PermissionDenied):
        variants.terminate_case(case, actor=clerk, reason="理由")
    response = token_client(approver).post(
        f"/api/v1/workbench/cases/{case.public_id}/terminate", {"reason": ""}, content_type="application/json"
    )
    assert response.status_code in (400, 422)


def test_withdrawal_after_acceptance_terminates_the_process(definitions, item, citizen, clerk):
    from yiwang.cases.services import withdraw_case

    case = accept_case(submit_case(item, citizen), actor=clerk)
    assert process.process_of(case).status == ProcessStatus.RUNNING
    withdraw_case(case, applicant=citizen, reason="不再需要")
    instance = process.process_of(case)
    assert instance.status == ProcessStatus.TERMINATED
    assert not instance.work_items.filter(status__in=[WorkItemStatus.OPEN, WorkItemStatus.CLAIMED]).exists()
