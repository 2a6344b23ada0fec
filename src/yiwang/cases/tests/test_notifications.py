"""Applicant notifications (SMS outbox + in-site message) at acceptance, correction, decision and
completion, not-acceptance, delivery handover and bundle completion; nothing is sent for a rolled-back
transition."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import InboxMessage, SmsOutboxMessage
from yiwang.cases.delivery import record_handover
from yiwang.cases.services import accept_case, decide_case, refuse_acceptance, request_correction
from yiwang.cases.tests.factories import submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


RATING = "/rate/"  # the 好差评 invitation every completed case sends as well (yiwang.ratings)


def _latest(user):
    """The latest message about the case itself (not the rating invitation that follows completion)."""
    message = InboxMessage.objects.filter(user=user).exclude(link__startswith=RATING).order_by("-pk").first()
    sms = (
        SmsOutboxMessage.objects.filter(phone=user.phone)
        .exclude(body__contains=RATING)
        .order_by("-pk")
        .first()
    )
    assert message is not None and sms is not None
    assert message.body == sms.body
    return message.body


def test_acceptance_correction_decision_completion(item, citizen, clerk, approver, run_on_commit):
    case = run_on_commit(submit, item, citizen)
    assert "已提交" in _latest(citizen)
    material = item.materials.get(name="营业执照")
    run_on_commit(
        request_correction,
        case,
        actor=clerk,
        items=[{"material_id": str(material.public_id), "reason": "模糊"}],
    )
    assert "需要补正材料" in _latest(citizen)
    case.refresh_from_db()
    case.status = "submitted"  # skip the applicant's round: the notice itself is what we test
    case.save(update_fields=["status"])
    run_on_commit(accept_case, case, actor=clerk)
    body = _latest(citizen)
    assert "已受理" in body and case.number in body
    run_on_commit(decide_case, case, actor=approver, approve=False, comment="不符合条件")
    body = _latest(citizen)
    assert "已办结（不予）" in body and "结果文书" in body
    assert InboxMessage.objects.filter(user=citizen).count() == 5  # four steps and the rating invitation
    assert InboxMessage.objects.filter(user=citizen, link__startswith=RATING).count() == 1


def test_not_accepted(item, citizen, clerk, run_on_commit):
    case = submit(item, citizen)
    run_on_commit(refuse_acceptance, case, actor=clerk, reason="不属于本机关职权")
    assert "不予受理" in _latest(citizen)


def test_handover(item, citizen, clerk, approver, run_on_commit):
    case = decide_case(
        accept_case(submit(item, citizen, delivery_method="courier"), actor=clerk),
        actor=approver,
        approve=True,
    )
    before = InboxMessage.objects.filter(user=citizen).count()
    run_on_commit(record_handover, case, actor=clerk, recipient_name="张伟", tracking_number="SF100")
    assert InboxMessage.objects.filter(user=citizen).count() == before + 1
    assert "已寄出，快递单号 SF100" in _latest(citizen)  # dispatched, not yet delivered
    run_on_commit(record_handover, case, actor=clerk, recipient_name="", recipient_signature="张伟")
    assert InboxMessage.objects.filter(user=citizen).count() == before + 2
    assert "已送达（快递送达）" in _latest(citizen)


def test_electronic_delivery_sends_only_the_completion_message(item, citizen, clerk, approver, run_on_commit):
    case = accept_case(submit(item, citizen), actor=clerk)
    before = InboxMessage.objects.filter(user=citizen).count()
    run_on_commit(decide_case, case, actor=approver, approve=True)
    assert InboxMessage.objects.filter(user=citizen).exclude(link__startswith=RATING).count() == before + 1
    assert "已办结（准予）" in _latest(citizen)


def test_nothing_sent_when_the_transition_fails(item, citizen, clerk, run_on_commit, monkeypatch):
    case = submit(item, citizen)
    before = InboxMessage.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("pdf failed")

    monkeypatch.setattr("yiwang.cases.services.acceptance.issue_document", boom)
    with pytest.raises(RuntimeError):
        run_on_commit(accept_case, case, actor=clerk)
    assert InboxMessage.objects.count() == before
