"""Cases driven by the workflow engine: acceptance starts the process, work items decide the case."""

from __future__ import annotations

import json
from typing import Any

import pytest

from yiwang.accounts.models import User
from yiwang.cases import process
from yiwang.cases.models import Case, CaseEventType, CaseOutcome, CaseStatus
from yiwang.cases.services import accept_case
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import OrganisationFactory, make_staff, pdf_upload
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import Conflict
from yiwang.workflow import services as workflow
from yiwang.workflow.models import DecisionRecord, ProcessStatus, WorkItem, WorkItemStatus

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


@pytest.fixture
def definitions(db: None) -> dict[str, Any]:
    return {d.key: d for d in workflow.install_default_definitions()}


def _submit(item: ServiceItem, citizen: User, form: dict[str, Any] | None = None) -> Case:
    materials = {m.name: str(m.public_id) for m in item.materials.all()}
    response = token_client(citizen).post(
        "/api/v1/cases",
        {
            "item_id": str(item.public_id),
            "form_data": json.dumps({"shop_name": "小店", **(form or {})}),
            f"material_{materials['营业执照']}": pdf_upload(),
            f"material_{materials['经营场所证明']}": pdf_upload(),
        },
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(public_id=response.json()["id"])


def _only(qs: Any) -> WorkItem:
    items = list(qs)
    assert len(items) == 1, items
    return items[0]


def _event_types(case: Case) -> list[str]:
    return list(case.events.order_by("sequence").values_list("event_type", flat=True))


def test_accept_starts_standard_process(definitions, item, citizen, clerk, approver):
    case = accept_case(_submit(item, citizen), actor=clerk)
    instance = process.process_of(case)
    assert instance is not None
    assert (instance.definition.key, instance.reference, instance.subject_type) == (
        "standard",
        case.number,
        "cases.Case",
    )
    assert instance.work_items.get(task_name="accept").completed_by == clerk  # 受理 done by acceptance
    review = _only(workflow.todo(approver))  # approver also holds the handler role
    assert review.task_name == "review"


def test_decision_work_item_completes_case(definitions, item, citizen, clerk, approver):
    case = accept_case(_submit(item, citizen), actor=clerk)
    workflow.complete(_only(workflow.todo(approver)), user=approver, data={"opinion": "符合条件"})
    decide = _only(workflow.todo(approver))
    assert decide.task_name == "decide"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    instance = workflow.complete(decide, user=approver, data={"approve": True, "comment": "同意"})
    case.refresh_from_db()
    assert instance.status == ProcessStatus.COMPLETED
    assert (case.status, case.outcome, case.decision_comment) == (
        CaseStatus.COMPLETED,
        CaseOutcome.APPROVED,
        "同意",
    )
    assert _event_types(case)[-3:] == [
        CaseEventType.APPROVED,
        CaseEventType.COMPLETED,
        CaseEventType.DELIVERED,
    ]
    approved = case.events.get(event_type=CaseEventType.APPROVED)
    assert approved.actor == approver
    assert approved.data["process"] == str(instance.public_id)


def test_concurrent_completion_of_same_item_conflicts(definitions, item, citizen, clerk, approver):
    case = accept_case(_submit(item, citizen), actor=clerk)
    workflow.complete(_only(workflow.todo(approver)), user=approver)
    decide = _only(workflow.todo(approver))
    stale = WorkItem.objects.get(pk=decide.pk)
    workflow.complete(decide, user=approver, data={"approve": False, "comment": "材料不实"})
    with pytest.raises(Conflict):
        workflow.complete(stale, user=approver, data={"approve": True})
    case.refresh_from_db()
    assert case.outcome == CaseOutcome.REFUSED
    assert _event_types(case).count(CaseEventType.COMPLETED) == 1


def test_failure_in_transition_rolls_back_case_and_process(
    definitions, item, citizen, clerk, approver, monkeypatch
):
    case = accept_case(_submit(item, citizen), actor=clerk)
    workflow.complete(_only(workflow.todo(approver)), user=approver)
    decide = _only(workflow.todo(approver))
    instance = process.process_of(case)
    assert instance is not None
    state_before = instance.state

    def boom(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("pdf generation failed")

    monkeypatch.setattr("yiwang.cases.transitions.attach_result_document", boom)
    with pytest.raises(RuntimeError):
        workflow.complete(decide, user=approver, data={"approve": True})
    case.refresh_from_db()
    instance.refresh_from_db()
    decide.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert instance.status == ProcessStatus.RUNNING and instance.state == state_before
    assert decide.status == WorkItemStatus.OPEN
    assert CaseEventType.APPROVED not in _event_types(case)


def test_failure_starting_process_rolls_back_acceptance(definitions, item, citizen, clerk, monkeypatch):
    case = _submit(item, citizen)

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("engine down")

    monkeypatch.setattr(workflow, "start_process", boom)
    with pytest.raises(RuntimeError):
        accept_case(case, actor=clerk)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert CaseEventType.ACCEPTED not in _event_types(case)


@pytest.fixture
def departments(db: None) -> tuple[User, User, list[str]]:
    health = OrganisationFactory(name="合肥市卫生健康委员会", short_name="卫健委")
    fire = OrganisationFactory(name="合肥市消防救援支队", short_name="消防支队")
    return (
        make_staff(health, "health_handler", ("handler",)),
        make_staff(fire, "fire_handler", ("handler",)),
        [health.credit_code, fire.credit_code],
    )


@pytest.fixture
def parallel_item(item: ServiceItem, departments: tuple[User, User, list[str]]) -> ServiceItem:
    item.process_key = "parallel"
    item.process_departments = departments[2]
    item.save(update_fields=["process_key", "process_departments"])
    return item


def _countersign(user: User, code: str, agree: bool, comment: str = "") -> None:
    workflow.complete(
        _only(workflow.todo(user)),
        user=user,
        data={"opinion": {"department": code, "agree": agree, "comment": comment}},
    )


def test_parallel_all_approve(definitions, parallel_item, departments, citizen, clerk, approver):
    health_handler, fire_handler, codes = departments
    case = accept_case(_submit(parallel_item, citizen), actor=clerk)
    _countersign(health_handler, codes[0], True)
    assert list(workflow.todo(approver)) == []
    _countersign(fire_handler, codes[1], True)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    workflow.complete(_only(workflow.todo(approver)), user=approver, data={"approve": True})
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.COMPLETED, CaseOutcome.APPROVED)


def test_parallel_one_refusal_refuses_case(definitions, parallel_item, departments, citizen, clerk, approver):
    health_handler, fire_handler, codes = departments
    case = accept_case(_submit(parallel_item, citizen), actor=clerk)
    _countersign(health_handler, codes[0], True)
    _countersign(fire_handler, codes[1], False, "消防通道不达标")
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.COMPLETED, CaseOutcome.REFUSED)
    assert "消防通道不达标" in case.decision_comment
    refused = case.events.get(event_type=CaseEventType.REFUSED)
    assert refused.data["refusing_departments"] == [codes[1]]
    assert list(workflow.todo(approver)) == []


@pytest.mark.parametrize(("age", "approved"), [(85, True), (70, False)])
def test_dmn_auto_approval(definitions, item, citizen, clerk, approver, age, approved):
    item.process_key = "auto_approval"
    item.save(update_fields=["process_key"])
    case = _submit(item, citizen)
    # The rule inputs come from shared data (人口库) attached to the case before acceptance.
    shared = {"age": age, "hukou_city": "合肥市", "already_receiving": False}
    Case.objects.filter(pk=case.pk).update(form_data={**case.form_data, **shared})
    case = accept_case(case, actor=clerk)
    record = DecisionRecord.objects.get(instance=process.process_of(case))
    case.refresh_from_db()
    if approved:
        assert (case.status, case.outcome) == (CaseStatus.COMPLETED, CaseOutcome.APPROVED)
        event = case.events.get(event_type=CaseEventType.APPROVED)
        assert event.actor is None and event.actor_label == "系统"
        assert event.data["decision_record"] == record.pk
        assert event.data["rules"] == ["rule_eligible"]
        assert event.data["inputs"]["年龄（人口库）"] == 85
    else:
        assert case.status == CaseStatus.ACCEPTED
        assert _only(workflow.todo(approver)).task_name == "decide"
