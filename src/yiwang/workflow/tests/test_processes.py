"""Running the shipped processes: standard, parallel approval across departments, rule-based approval."""

from __future__ import annotations

import pytest

from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.testing.cases import make_staff
from yiwang.workflow import services
from yiwang.workflow.models import DecisionRecord, ProcessStatus, WorkItem, WorkItemStatus

pytestmark = pytest.mark.django_db


def _only(qs):
    items = list(qs)
    assert len(items) == 1, items
    return items[0]


def test_standard_process_moves_through_roles(definitions, market, clerk, handler, approver):
    instance = services.start_process(
        definitions["standard"], organisation=market, reference="CASE-1", data={"x": 1}
    )
    accept = _only(services.todo(clerk))
    assert (accept.title, accept.role) == ("受理", "window_clerk")
    assert list(services.todo(handler)) == []
    services.complete(accept, user=clerk, data={"accepted": True})
    review = _only(services.todo(handler))
    assert review.title == "审查"
    services.complete(review, user=handler, data={"opinion": "符合条件"})
    decide = _only(services.todo(approver))
    instance = services.complete(decide, user=approver, data={"approve": True})
    assert instance.status == ProcessStatus.COMPLETED
    assert instance.data["opinion"] == "符合条件"
    assert [w.title for w in services.done(approver)] == ["决定"]


def test_parallel_approval_splits_to_departments_and_joins(
    definitions, market, health, fire, clerk, approver
):
    health_handler = make_staff(health, "health_handler", ("handler",))
    fire_handler = make_staff(fire, "fire_handler", ("handler",))
    instance = services.start_process(
        definitions["parallel"],
        organisation=market,
        data={"departments": [health.credit_code, fire.credit_code]},
    )
    services.complete(_only(services.todo(clerk)), user=clerk)
    health_item = _only(services.todo(health_handler))
    fire_item = _only(services.todo(fire_handler))
    assert health_item.organisation == health and fire_item.organisation == fire
    assert list(services.todo(approver)) == []  # the join waits for both departments
    services.complete(
        health_item, user=health_handler, data={"opinion": {"department": health.credit_code, "agree": True}}
    )
    assert list(services.todo(approver)) == []
    services.complete(
        fire_item, user=fire_handler, data={"opinion": {"department": fire.credit_code, "agree": True}}
    )
    decide = _only(services.todo(approver))
    assert decide.title == "联合决定"
    instance = services.complete(decide, user=approver, data={"approve": True})
    assert instance.status == ProcessStatus.COMPLETED
    assert instance.data["any_refused"] is False


def test_parallel_refusal_by_one_department_ends_in_joint_refusal(
    definitions, market, health, fire, clerk, approver
):
    health_handler = make_staff(health, "health_handler", ("handler",))
    fire_handler = make_staff(fire, "fire_handler", ("handler",))
    instance = services.start_process(
        definitions["parallel"],
        organisation=market,
        data={"departments": [health.credit_code, fire.credit_code]},
    )
    services.complete(_only(services.todo(clerk)), user=clerk)
    services.complete(
        _only(services.todo(health_handler)),
        user=health_handler,
        data={"opinion": {"department": health.credit_code, "agree": True}},
    )
    instance = services.complete(
        _only(services.todo(fire_handler)),
        user=fire_handler,
        data={"opinion": {"department": fire.credit_code, "agree": False}},
    )
    assert instance.status == ProcessStatus.COMPLETED
    assert instance.data["any_refused"] is True
    assert instance.data["refusing_departments"] == [fire.credit_code]
    assert list(services.todo(approver)) == []


@pytest.mark.parametrize(
    ("data", "auto", "rule"),
    [
        ({"age": 85, "hukou_city": "合肥市", "already_receiving": False}, True, "rule_eligible"),
        ({"age": 79, "hukou_city": "合肥市", "already_receiving": False}, False, "rule_otherwise"),
        ({"age": 90, "hukou_city": "芜湖市", "already_receiving": False}, False, "rule_otherwise"),
        ({"age": 90, "hukou_city": "合肥市", "already_receiving": True}, False, "rule_already_paid"),
    ],
)
def test_rule_based_approval_records_rule_and_inputs(definitions, market, clerk, data, auto, rule):
    instance = services.start_process(definitions["auto_approval"], organisation=market, data=data)
    record = DecisionRecord.objects.get(instance=instance)
    assert record.decision_id == "auto_approval_table"
    assert record.outputs["auto_approve"] is auto
    assert [r["id"] for r in record.matched_rules] == [rule]
    assert record.inputs["年龄（人口库）"] == data["age"]
    if auto:
        assert instance.status == ProcessStatus.COMPLETED
        assert list(services.todo(clerk)) == []
    else:
        assert instance.status == ProcessStatus.RUNNING
        assert _only(services.todo(clerk)).title == "人工受理"


def test_claim_release_delegate(definitions, market, clerk, clerk2, handler):
    services.start_process(definitions["standard"], organisation=market)
    item = _only(services.todo(clerk))
    services.claim(item, user=clerk)
    assert list(services.todo(clerk2)) == []  # claimed items leave colleagues' lists
    with pytest.raises(Conflict):
        services.claim(item, user=clerk2)
    with pytest.raises(Conflict):
        services.complete(item, user=clerk2)
    services.release(item, user=clerk)
    assert _only(services.todo(clerk2)).pk == item.pk
    with pytest.raises(DomainError):
        services.delegate(item, user=clerk, to=handler)  # wrong role
    services.delegate(item, user=clerk, to=clerk2)
    item.refresh_from_db()
    assert item.assignee == clerk2 and item.delegated_by == clerk
    services.complete(item, user=clerk2)
    item.refresh_from_db()
    assert item.status == WorkItemStatus.COMPLETED


def test_wrong_role_or_department_cannot_complete(definitions, market, health, handler):
    services.start_process(definitions["standard"], organisation=market)
    item = WorkItem.objects.get()
    with pytest.raises(PermissionDenied):
        services.complete(item, user=handler)
    outsider = make_staff(health, "outsider", ("window_clerk",))
    with pytest.raises(PermissionDenied):
        services.claim(item, user=outsider)


def test_completed_item_cannot_be_completed_twice(definitions, market, clerk):
    services.start_process(definitions["standard"], organisation=market)
    item = WorkItem.objects.get()
    services.complete(item, user=clerk)
    with pytest.raises(Conflict):
        services.complete(item, user=clerk)


def test_terminate_cancels_open_items(definitions, market, clerk):
    instance = services.start_process(definitions["standard"], organisation=market)
    services.terminate(instance, actor=clerk, reason="申请人撤回")
    assert WorkItem.objects.get().status == WorkItemStatus.CANCELLED
    assert list(services.todo(clerk)) == []


def test_definitions_are_versioned_and_validated(definitions):
    again = services.install_default_definitions()
    assert [d.version for d in again] == [1, 1, 1]
    changed = definitions["standard"].bpmn_xml.replace("审查", "实质审查")
    v2 = services.deploy_definition(
        key="standard", name="标准", process_id="standard_process", bpmn_xml=changed
    )
    assert v2.version == 2
    assert services.latest_definition("standard") == v2
    with pytest.raises(DomainError) as excinfo:
        services.deploy_definition(key="broken", name="x", process_id="nope", bpmn_xml="<not-bpmn/>")
    assert excinfo.value.code == "invalid_process_definition"
    with pytest.raises(RuntimeError):
        v2.name = "changed"
        v2.save()
