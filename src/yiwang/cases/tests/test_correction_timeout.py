"""补正超期: a correction deadline passed without supply closes the case as not accepted, with an
event, a notice document and a message; by command, by task, idempotently."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from yiwang.accounts.models import InboxMessage
from yiwang.cases.models import CaseEventType, CaseStatus
from yiwang.cases.services import request_correction, supply_correction
from yiwang.cases.tasks import expire_corrections_task
from yiwang.cases.tests.factories import pdf_upload, submit_case
from yiwang.cases.variants import expire_corrections

pytestmark = pytest.mark.django_db


def travel(moment: str) -> time_machine.travel:
    return time_machine.travel(f"{moment} 10:00:00+08:00", tick=False)


@pytest.fixture
def waiting(item, citizen, clerk):
    with travel("2026-09-21"):  # deadline: 10 working days → Mon 12 Oct (中秋, 国庆, Sat 10 Oct works)
        case = submit_case(item, citizen)
        material = item.materials.get(name="经营场所证明")
        notice = request_correction(
            case, actor=clerk, items=[{"material_id": str(material.public_id), "reason": "不清晰"}]
        )
    assert notice.deadline.isoformat() == "2026-10-12"
    return case


def test_not_expired_on_the_deadline_day(waiting):
    with travel("2026-10-12"):
        assert expire_corrections() == []
    waiting.refresh_from_db()
    assert waiting.status == CaseStatus.CORRECTION_REQUIRED


def test_expired_the_day_after(waiting, citizen, django_capture_on_commit_callbacks):
    with travel("2026-10-13"), django_capture_on_commit_callbacks(execute=True):
        out = StringIO()
        call_command("expire_corrections", stdout=out)
    assert waiting.number in out.getvalue()
    waiting.refresh_from_db()
    assert waiting.status == CaseStatus.NOT_ACCEPTED
    assert waiting.result_document and waiting.decision_comment == "申请人未在补正期限内补正材料"
    last = waiting.events.order_by("-sequence").first()
    assert last.event_type == CaseEventType.CORRECTION_TIMED_OUT
    assert (last.to_status, last.actor_label, last.channel) == ("not_accepted", "系统", "console")
    assert InboxMessage.objects.filter(user=citizen, body__contains="逾期未补正").exists()
    with travel("2026-10-14"):  # idempotent
        assert expire_corrections() == []
    assert waiting.events.filter(event_type=CaseEventType.CORRECTION_TIMED_OUT).count() == 1


def test_supplied_in_time_is_left_alone(waiting, citizen, item):
    material = item.materials.get(name="经营场所证明")
    with travel("2026-10-12"):
        supply_correction(waiting, applicant=citizen, files={str(material.public_id): [pdf_upload()]})
    with travel("2026-10-20"):
        assert expire_corrections() == []
    waiting.refresh_from_db()
    assert waiting.status == CaseStatus.SUBMITTED


def test_task_runs_the_same_rule(waiting):
    with travel("2026-10-13"):
        result = expire_corrections_task.enqueue()
    assert result.return_value == [waiting.number]
