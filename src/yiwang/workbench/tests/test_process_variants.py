"""Process variants (流程变体): service managers upload new BPMN versions (validated), assign them to an
item; running cases keep their version; every definition ships with a diagram (BPMN DI)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.cases.process import process_of
from yiwang.cases.services import accept_case
from yiwang.core.models import AuditEvent
from yiwang.testing import portal as factories
from yiwang.testing.clients import token_client
from yiwang.testing.fixtures import logged_in
from yiwang.testing.portal import apply_for
from yiwang.workflow import services as workflow
from yiwang.workflow.models import ProcessDefinition

pytestmark = pytest.mark.django_db

STANDARD = (workflow.DEFINITIONS_DIR / "standard.bpmn").read_text(encoding="utf-8")
# A variant without the 审查 step: 受理 → 决定.
SHORT = re.sub(r'<bpmn:userTask id="review".*?</bpmn:userTask>', "", STANDARD, flags=re.S).replace(
    'sourceRef="accept" targetRef="review"', 'sourceRef="accept" targetRef="decide"'
)
SHORT = SHORT.replace('<bpmn:sequenceFlow id="to_decide" sourceRef="review" targetRef="decide" />', "")
SHORT = re.sub(r'<bpmndi:BPMN(Shape|Edge) id="(review|to_decide)_di".*?</bpmndi:BPMN(Shape|Edge)>', "", SHORT)
SHORT = SHORT.replace("<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", "")


@pytest.fixture
def definitions(db):
    return {d.key: d for d in workflow.install_default_definitions()}


@pytest.fixture
def manager(department):
    return factories.make_staff(department, "manager", ["service_manager"], "吴敏")


def test_every_shipped_definition_has_a_diagram_for_each_element(definitions):
    for definition in definitions.values():
        xml = definition.bpmn_xml
        elements = re.findall(
            r"<bpmn:(?:userTask|scriptTask|businessRuleTask|startEvent|endEvent|exclusiveGateway|sequenceFlow) id=\"([^\"]+)\"",
            xml,
        )
        assert elements, definition.key
        for element in elements:
            assert f'bpmnElement="{element}"' in xml, (definition.key, element)
        assert "<dc:Bounds" in xml and "<di:waypoint" in xml
        # bpmn-js draws a collaboration's plane only when it references the collaboration itself
        collaboration = re.search(r'<bpmn:collaboration id="([^"]+)"', xml).group(1)
        assert re.search(rf'<bpmndi:BPMNPlane id="[^"]+" bpmnElement="{collaboration}"', xml)


def test_manager_uploads_a_variant_and_assigns_it(
    definitions, manager, item, citizen, clerk, approver, django_assert_max_num_queries
):
    old_case = accept_case(apply_for(item, citizen, key="old"), actor=clerk)
    client = logged_in(manager)
    response = client.post(
        reverse("workbench:processes"),
        {"key": "standard", "name": "简易流程（受理 → 决定）", "bpmn_xml": SHORT},
    )
    assert response.status_code == 302
    v2 = ProcessDefinition.objects.get(key="standard", version=2)
    assert v2.created_by == manager
    assert AuditEvent.objects.filter(action="workflow.definition_deployed", actor=manager).exists()
    # 11 queries, plus up to 2 from October on while next year's calendar is not loaded (the banner
    # for managers reads next year's schedule, cached afterwards): the bound holds on any date.
    with django_assert_max_num_queries(13):
        assert "standard" in client.get(reverse("workbench:processes")).content.decode()
    with django_assert_max_num_queries(13):
        page = client.get(reverse("workbench:process_detail", args=["standard"])).content.decode()
    assert "process-bpmn" in page and "v2" in page and "v1" in page
    client.post(reverse("workbench:process_detail", args=["standard"]), {"item": str(item.public_id)})
    item.refresh_from_db()
    assert item.process_key == "standard"
    assert AuditEvent.objects.filter(action="workflow.process_assigned", actor=manager).exists()
    new_case = accept_case(apply_for(item, citizen, key="new"), actor=clerk)
    assert process_of(old_case).definition.version == 1  # keeps the version it started with
    new_process = process_of(new_case)
    assert new_process.definition.version == 2
    assert [w.task_name for w in workflow.todo(approver)] == ["review", "decide"]  # old: review, new: decide


@pytest.mark.parametrize(
    ("xml", "code", "message"),
    [
        ("<not-xml", "invalid_process_definition", "XML"),
        (
            STANDARD.replace('isExecutable="true"', 'isExecutable="false"'),
            "invalid_process_definition",
            "可执行",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + STANDARD.split("?>", 1)[1],
            "invalid_process_definition",
            "DOCTYPE",
        ),
        (STANDARD.replace('name="approver"', 'name="boss"'), "process_missing_role_lanes", "泳道"),
        (
            STANDARD.replace('targetRef="decide"', 'targetRef="nowhere"'),
            "invalid_process_definition",
            "流程定义无效",
        ),
    ],
)
def test_bad_bpmn_is_refused_with_a_message(definitions, manager, xml, code, message):
    response = token_client(manager).post(
        "/api/v1/workflow/definitions",
        {"key": "standard", "name": "坏流程", "bpmn_xml": xml},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code and message in str(response.json())
    assert ProcessDefinition.objects.filter(key="standard").count() == 1


def test_process_api_and_authorisation(definitions, manager, item, clerk, other_department):
    api = token_client(manager)
    created = api.post(
        "/api/v1/workflow/definitions",
        {"key": "short", "name": "简易流程", "bpmn_xml": SHORT},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["version"] == 1
    assert {d["key"] for d in api.get("/api/v1/workflow/definitions").json()} >= {"standard", "short"}
    assigned = api.post(
        f"/api/v1/workflow/items/{item.public_id}/process", {"key": "short"}, content_type="application/json"
    )
    assert assigned.status_code == 200 and assigned.json()["process_key"] == "short"
    missing = api.post(
        f"/api/v1/workflow/items/{item.public_id}/process", {"key": "nope"}, content_type="application/json"
    )
    assert missing.status_code == 404
    # a manager of another department cannot assign processes to this department's items
    outsider = factories.make_staff(other_department, "manager2", ["service_manager"])
    refused = token_client(outsider).post(
        f"/api/v1/workflow/items/{item.public_id}/process",
        {"key": "standard"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    # only service managers: a clerk gets 403 on the API and the pages
    assert token_client(clerk).get("/api/v1/workflow/definitions").status_code == 403
    assert (
        token_client(clerk)
        .post(
            "/api/v1/workflow/definitions",
            {"key": "x", "name": "x", "bpmn_xml": SHORT},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert logged_in(clerk).get(reverse("workbench:processes")).status_code == 403
    assert logged_in(clerk).post(reverse("workbench:processes"), {"key": "x"}).status_code == 403
    item.refresh_from_db()
    assert item.process_key == "short"


@given(text=st.text(max_size=300))
@settings(max_examples=60, deadline=None)
def test_inspecting_any_text_fails_only_with_a_definition_error(text):
    from yiwang.workflow import engine

    try:
        process_id, tasks = workflow.inspect_bpmn(text)
    except engine.DefinitionError as exc:
        assert str(exc)
    else:  # only a well-formed document with one executable process gets through
        assert process_id is not None and isinstance(tasks, dict)


@given(offset=st.integers(min_value=-60, max_value=60), day=st.integers(min_value=0, max_value=300))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_clock_colour_is_red_exactly_when_overdue(calendar, offset, day):
    from yiwang.cases.work_queue import clock_state

    today = date(2026, 1, 1) + timedelta(days=day)
    due = today + timedelta(days=offset)
    state = clock_state(due, today)
    assert (state["css"] == "due-overdue") is (offset < 0)
    if 0 <= offset <= 3:  # working days left never exceed calendar days left
        assert state["css"] == "due-soon"
