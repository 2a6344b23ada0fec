"""check_consistency (cases/consistency.py): every case agrees with its events, process, counters and
snapshot; each kind of half-applied change is found."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from yiwang.accounts.inbox import post_inbox_message
from yiwang.cases import consistency
from yiwang.cases.models import Case, CaseDetailSnapshot, CaseStatus, QueueCounter
from yiwang.cases.services import accept_case, decide_case
from yiwang.cases.tests.factories import submit_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(item, citizen, clerk, approver, frozen_time):
    submitted = submit_case(item, citizen)
    accepted = accept_case(submit_case(item, citizen), actor=clerk)
    decided = decide_case(accept_case(submit_case(item, citizen), actor=clerk), actor=approver, approve=True)
    return submitted, accepted, decided


def test_cases_made_by_the_services_are_consistent(cases):
    report = consistency.check()
    assert report.cases == 3 and report.events >= 6
    assert report.ok, report.lines()
    out = io.StringIO()
    call_command("check_consistency", stdout=out)
    assert "半途办件：0" in out.getvalue() and out.getvalue().rstrip().endswith("一致")


def test_a_status_changed_without_its_event_is_half_applied(cases):
    submitted = cases[0]
    Case.objects.filter(pk=submitted.pk).update(status=CaseStatus.ACCEPTED)
    report = consistency.check()
    assert report.half_applied == 1 and not report.ok
    assert any("末条过程" in p for p in report.event_problems)
    assert report.counter_drift  # the counters were not moved either
    with pytest.raises(SystemExit):
        call_command("check_consistency", stdout=io.StringIO())


def test_counter_drift_is_counted(cases):
    QueueCounter.objects.filter(status=CaseStatus.SUBMITTED).update(count=5)
    report = consistency.check()
    assert report.counter_drift and report.half_applied == 0 and not report.ok


def test_a_stale_snapshot_claiming_to_be_current_is_found(cases):
    decided = cases[2]
    body = json.dumps({"status": CaseStatus.ACCEPTED, "events": []})
    CaseDetailSnapshot.objects.update_or_create(
        case_id=decided.pk, defaults={"revision": 7, "built_revision": 7, "body": body}
    )
    report = consistency.check()
    assert report.snapshots_checked == 1 and len(report.snapshot_problems) == 2 and report.half_applied == 1


def test_a_duplicate_message_is_counted(cases, citizen):
    submitted = cases[0]
    for _ in range(2):
        post_inbox_message(
            citizen,
            title="办件通知",
            body="已受理",
            link=f"/my/cases/{submitted.public_id}/",
            occurred_at=None,
        )
    report = consistency.check()
    assert report.duplicate_messages == 1 and not report.ok


def test_a_notification_run_again_after_a_crash_delivers_nothing_more(cases, citizen):
    from yiwang.accounts.models import SmsOutboxMessage
    from yiwang.cases.notifications import notify_applicant

    accepted = cases[1]
    before = (citizen.inbox.count(), SmsOutboxMessage.objects.count())
    notify_applicant.call(accepted.pk, "accepted")
    once = (citizen.inbox.count(), SmsOutboxMessage.objects.count())
    notify_applicant.call(accepted.pk, "accepted")  # the worker died before recording it done
    assert once == (before[0] + 1, before[1] + 1)
    assert (citizen.inbox.count(), SmsOutboxMessage.objects.count()) == once
    assert consistency.check().duplicate_messages == 0
