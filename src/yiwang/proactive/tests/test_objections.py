"""免申即享: a grant, its objection upheld (revoked or corrected) or rejected, both sides told, audited."""

from __future__ import annotations

import pytest

from yiwang.accounts.models import InboxMessage
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.proactive.models import GrantStatus, ObjectionStatus, Push
from yiwang.proactive.schemas import ProactiveDecisionIn
from yiwang.proactive.services import decide_objection, file_objection, run_scan
from yiwang.testing.proactive import born, citizen_for, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(world):
    make_rule(
        world.manager, action="grant", benefit_name="生育补贴", amount_fen=300_000, legal_basis="某政策第五条"
    )
    baby = born()
    account = citizen_for(baby, "grantee")
    run_scan()
    return Push.objects.get(), account


def test_objection_upheld_corrects_the_amount(world, granted, django_capture_on_commit_callbacks):
    push, account = granted
    with django_capture_on_commit_callbacks(execute=True):
        objection = file_objection(account, push, "金额应按二孩标准计算")
    assert InboxMessage.objects.filter(user=world.manager, title__contains="异议").exists()
    with pytest.raises(DomainError) as second:
        file_objection(account, push, "再次异议")
    assert second.value.code == "proactive_objection_open"
    body = ProactiveDecisionIn(outcome="upheld", note="按二孩标准更正", corrected_amount_fen=500_000)
    with django_capture_on_commit_callbacks(execute=True):
        decide_objection(world.manager, objection, body)
    push.refresh_from_db()
    objection.refresh_from_db()
    assert (push.grant_status, push.amount_fen) == (GrantStatus.CORRECTED, 500_000)
    assert objection.status == ObjectionStatus.UPHELD
    assert InboxMessage.objects.filter(user=account, title__startswith="异议成立").exists()
    assert AuditEvent.objects.filter(action="proactive.objection_decided").count() == 1


def test_objection_upheld_without_amount_revokes(world, granted):
    push, account = granted
    objection = file_objection(account, push, "我不符合条件")
    decide_objection(world.manager, objection, ProactiveDecisionIn(outcome="upheld", note="撤销"))
    push.refresh_from_db()
    assert (push.grant_status, push.amount_fen) == (GrantStatus.REVOKED, 0)
    with pytest.raises(DomainError):  # a revoked grant cannot be objected to again
        file_objection(account, push, "再次")


def test_objection_rejected_keeps_the_grant(world, granted, django_capture_on_commit_callbacks):
    push, account = granted
    objection = file_objection(account, push, "金额不对")
    with django_capture_on_commit_callbacks(execute=True):
        decide_objection(
            world.manager, objection, ProactiveDecisionIn(outcome="rejected", note="金额符合政策")
        )
    push.refresh_from_db()
    assert (push.grant_status, push.amount_fen) == (GrantStatus.GRANTED, 300_000)
    assert InboxMessage.objects.filter(user=account, title__startswith="异议不成立").exists()
    with pytest.raises(DomainError) as again:
        decide_objection(world.manager, objection, ProactiveDecisionIn(outcome="upheld", note="改判"))
    assert again.value.status == 409
    # after a rejection the recipient may object again
    file_objection(account, push, "补充材料后再次异议")


def test_only_the_subject_objects_and_only_managers_in_scope_decide(world, granted):
    push, account = granted
    stranger = citizen_for(born(), "stranger")
    with pytest.raises(DomainError) as refused:
        file_objection(stranger, push, "不是我的")
    assert refused.value.status == 404
    objection = file_objection(account, push, "理由")
    with pytest.raises(DomainError) as out_of_scope:
        decide_objection(world.other_manager, objection, ProactiveDecisionIn(outcome="rejected", note="无权"))
    assert out_of_scope.value.status == 403


def test_a_notification_is_not_a_grant(world):
    make_rule(world.manager)
    account = citizen_for(born(), "notified")
    run_scan()
    with pytest.raises(DomainError) as refused:
        file_objection(account, Push.objects.get(), "理由")
    assert refused.value.code == "proactive_not_a_grant"
