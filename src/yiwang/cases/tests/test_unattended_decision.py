"""无人干预秒批 on shared data: an item whose decision table needs only shared data is accepted and decided
at filing by the system, the decision naming the rule, the inputs and the gateway calls."""

from __future__ import annotations

import pytest

from yiwang.cases.models import CaseEventType, CaseOutcome, CaseStatus
from yiwang.cases.services import submit_application
from yiwang.sharing.models import GatewayCall
from yiwang.testing.shared_world import make_shared_world
from yiwang.workflow import services as workflow
from yiwang.workflow.services.definitions import DEFINITIONS_DIR

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time", "calendar")]

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="shared_defs" name="共享数据秒批"
  namespace="https://yiwang.example/dmn">
  <decision id="auto_approval" name="户籍状态秒批">
    <decisionTable id="shared_table" hitPolicy="FIRST">
      <input id="in_status" label="人口状态（人口库）"><inputExpression id="e1" typeRef="string"><text>status</text></inputExpression></input>
      <input id="in_age" label="年龄（人口库）"><inputExpression id="e2" typeRef="integer"><text>age</text></inputExpression></input>
      <output id="o1" label="秒批" name="auto_approve" typeRef="boolean" />
      <output id="o2" label="说明" name="auto_reason" typeRef="string" />
      <rule id="rule_normal_adult"><inputEntry id="r1a"><text>"normal"</text></inputEntry>
        <inputEntry id="r1b"><text>&gt;= 18</text></inputEntry>
        <outputEntry id="r1o"><text>True</text></outputEntry><outputEntry id="r1r"><text>"户籍正常且已成年"</text></outputEntry></rule>
      <rule id="rule_otherwise"><inputEntry id="r2a"><text>-</text></inputEntry><inputEntry id="r2b"><text>-</text></inputEntry>
        <outputEntry id="r2o"><text>False</text></outputEntry><outputEntry id="r2r"><text>"转人工"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""


@pytest.fixture
def shared_process(db):
    bpmn = (DEFINITIONS_DIR / "auto_approval.bpmn").read_text(encoding="utf-8")
    return workflow.deploy_definition(
        key="shared_auto", name="共享数据秒批", process_id="auto_process", bpmn_xml=bpmn, dmn_xml=DMN
    )


def test_decided_at_filing_with_no_clerk(shared_process):
    w = make_shared_world()
    w.item.process_key = "shared_auto"
    w.item.save(update_fields=["process_key"])
    case = submit_application(applicant=w.citizen, item=w.item, form_data={}, files={})
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.COMPLETED, CaseOutcome.APPROVED)
    call = GatewayCall.objects.get()
    accepted = case.events.get(event_type=CaseEventType.ACCEPTED)
    assert accepted.actor is None and accepted.data["unattended"] is True
    approved = case.events.get(event_type=CaseEventType.APPROVED)
    assert approved.actor is None and approved.actor_label == "系统"
    assert approved.data["rules"] == ["rule_normal_adult"]
    assert approved.data["inputs"]["人口状态（人口库）"] == "normal"
    assert approved.data["gateway_calls"] == [str(call.public_id)]
    assert "status" not in case.form_data  # the shared data is not written into the applicant's form


def test_not_unattended_when_an_input_is_not_shared(shared_process):
    w = make_shared_world(granted=["name", "household_region", "status", "birth_date"])
    w.item.process_key = "shared_auto"
    w.item.save(update_fields=["process_key"])
    material = w.item.materials.get()
    material.shared_fields = ["name", "status"]  # no birth date: no age, a clerk must decide
    material.save(update_fields=["shared_fields"])
    case = submit_application(applicant=w.citizen, item=w.item, form_data={}, files={})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_refused_shared_data_goes_to_a_clerk(shared_process):
    w = make_shared_world(granted=["household_region"])
    w.item.process_key = "shared_auto"
    w.item.save(update_fields=["process_key"])
    case = submit_application(applicant=w.citizen, item=w.item, form_data={}, files={})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
