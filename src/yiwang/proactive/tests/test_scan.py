"""The daily scan: each event kind, conditions, idempotency, opt-out, delivery to the inbox."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from yiwang.accounts.models import InboxMessage
from yiwang.bases.models import BaseKind
from yiwang.proactive.models import OptOut, Push, PushStatus, ScanState
from yiwang.proactive.services import run_scan, set_push_enabled
from yiwang.testing import bases
from yiwang.testing.proactive import (
    TODAY,
    born,
    citizen_for,
    established,
    licence_expiring_in,
    log_change,
    make_rule,
)

pytestmark = pytest.mark.django_db


def test_birth_pushes_once_to_the_account_and_records_without_one(world):
    rule = make_rule(world.manager, conditions={"region_prefix": "3401"})
    baby = born()
    parentless = born()
    born(region="340202")  # another city: not selected
    account = citizen_for(baby, "babyholder")
    report = run_scan()
    assert report.total == 2
    pushes = {p.subject_digest: p for p in Push.objects.filter(rule=rule)}
    assert pushes[baby.id_number_digest].status == PushStatus.SENT
    assert pushes[baby.id_number_digest].user_id == account.pk
    assert pushes[parentless.id_number_digest].status == PushStatus.NO_ACCOUNT
    assert pushes[baby.id_number_digest].facts["event"] == "birth"
    message = InboxMessage.objects.get(user=account)
    assert message.link == f"/my/proactive/{pushes[baby.id_number_digest].public_id}/"
    # idempotent: the same day again, or the same change read twice, writes nothing
    ScanState.objects.update(last_sequence=0, last_day=None)
    assert run_scan().total == 0
    assert InboxMessage.objects.filter(user=account).count() == 1


def test_retirement_per_gender_with_parameters(world):
    make_rule(world.manager, event="retirement", conditions={"male_age": 60, "female_age": 55})
    man = bases.person(id_number=bases.id_number(sequence=11, birth=date(1966, 12, 7)))
    woman = bases.person(id_number=bases.id_number(sequence=12, birth=date(1971, 12, 7)))
    bases.person(id_number=bases.id_number(sequence=13, birth=date(1966, 12, 8)))  # tomorrow
    bases.person(id_number=bases.id_number(sequence=14, birth=date(1966, 12, 7)), status="deceased")
    report = run_scan()
    assert report.total == 2
    digests = set(Push.objects.values_list("subject_digest", flat=True))
    assert digests == {man.id_number_digest, woman.id_number_digest}
    assert Push.objects.get(subject_digest=man.id_number_digest).facts["age"] == 60


def test_retirement_catches_up_missed_days(world):
    make_rule(world.manager, event="retirement", conditions={"male_age": 60, "genders": ["male"]})
    ScanState.objects.create(name="daily", last_day=TODAY - timedelta(days=3))
    bases.person(id_number=bases.id_number(sequence=21, birth=date(1966, 12, 5)))
    assert run_scan().total == 1


def test_company_established_and_policy_match(world):
    make_rule(world.manager, event="company_established", name="开办", conditions={"region_prefix": "3401"})
    policy = make_rule(
        world.manager,
        event="policy_match",
        name="软件企业",
        conditions={
            "industry_prefixes": ["I65"],
            "capital_max_fen": 500_000_000,
            "company_types": ["enterprise"],
        },
    )
    old = bases.company(industry="I6510")  # existed before: only the policy backfill finds it
    bases.company(industry="C1310")  # another industry
    bases.company(industry="I6520", registered_capital_fen=900_000_000)  # too large
    new = established(industry="F5130")
    report = run_scan()
    assert report.total == 2
    assert Push.objects.get(event_key="established").facts["credit_code"] == new.credit_code
    assert Push.objects.get(rule=policy).facts["credit_code"] == old.credit_code
    # a company changed later to a matching industry is found by the change log
    new.industry = "I6511"
    new.save(update_fields=["industry"])
    log_change(BaseKind.LEGAL_PERSON, new.credit_code, created=False, fields=["industry"])
    assert run_scan().total == 1


def test_licence_expiring_within_days(world):
    make_rule(world.manager, event="licence_expiring", conditions={"days_before": 30})
    soon = licence_expiring_in(20)
    licence_expiring_in(40)
    assert run_scan().total == 1
    push = Push.objects.get()
    assert push.event_key == f"licence:{soon.identifier}:{soon.valid_until.isoformat()}"
    assert TODAY < soon.valid_until <= TODAY + timedelta(days=30)
    assert push.subject_digest == soon.holder_code_digest


def test_opted_out_recipient_is_skipped(world):
    rule = make_rule(world.manager)
    baby = born()
    account = citizen_for(baby, "optout")
    set_push_enabled(account, rule=None, enabled=False)
    assert OptOut.objects.count() == 1
    run_scan()
    push = Push.objects.get(rule=rule)
    assert push.status == PushStatus.SKIPPED
    assert not InboxMessage.objects.filter(user=account).exists()
    set_push_enabled(account, rule=None, enabled=True)
    assert OptOut.objects.count() == 0


def test_grant_records_the_decision(world):
    make_rule(
        world.manager,
        action="grant",
        benefit_name="生育补贴",
        amount_fen=300_000,
        legal_basis="《合肥市生育支持政策》第五条",
    )
    baby = born()
    run_scan()
    push = Push.objects.get(subject_digest=baby.id_number_digest)
    assert push.grant_status == "granted"
    assert push.amount_fen == 300_000
    assert push.rule_version == 1
    assert push.facts["region"] == "340104"


def test_draft_and_retired_rules_push_nothing(world):
    make_rule(world.manager, active=False)
    born()
    assert run_scan().total == 0


def test_birth_by_a_completed_case_of_the_chosen_item(world, django_capture_on_commit_callbacks):
    from types import SimpleNamespace
    from uuid import uuid4

    from yiwang.proactive.services.case_events import on_case_completed

    item = SimpleNamespace(public_id=uuid4(), name="出生医学证明")
    make_rule(world.manager, conditions={"item_id": str(item.public_id)})
    parent = citizen_for(bases.person(), "parent")
    case = SimpleNamespace(public_id=uuid4(), number="N1", item=item, applicant=parent)
    with django_capture_on_commit_callbacks(execute=True):
        on_case_completed(None, case=case, actor=None)
        on_case_completed(None, case=case, actor=None)  # once per case
    push = Push.objects.get()
    assert (push.status, push.event_key) == (PushStatus.SENT, f"case:{case.public_id}")
    other = SimpleNamespace(
        public_id=uuid4(), number="N2", item=SimpleNamespace(public_id=uuid4(), name="x"), applicant=parent
    )
    on_case_completed(None, case=other, actor=None)
    assert Push.objects.count() == 1
