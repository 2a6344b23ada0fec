"""Share requests and grants: conditional requests wait for the provider (10 working days), who
approves, narrows or refuses; unconditional resources are granted at once; 不予共享 is refused with
its legal basis; grants expire and can be revoked; the gateway asks ``active_grant``."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from yiwang.accounts.models import InboxMessage
from yiwang.core.errors import DomainError
from yiwang.sharing import reads, services
from yiwang.sharing.actions import allowed_actions
from yiwang.sharing.models import Grant, GrantStatus, RequestStatus
from yiwang.sharing.tests.factories import COMPANY_FIELDS, ask, published_resource

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def population(world):
    return published_resource(world.police_official, world.reviewer)


@pytest.fixture
def legal_persons(world):
    return published_resource(
        world.market_official,
        world.reviewer,
        name="法人基础信息",
        share_type="unconditional",
        subject_kind="company",
        fields=COMPANY_FIELDS,
    )


def test_conditional_request_waits_ten_working_days(world, population, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        share_request = ask(world.market_official, population, ["gender", "household_region"])
    assert share_request.status == RequestStatus.PENDING
    assert share_request.consumer == world.market
    # 10 working days after Monday 21 September 2026, across the National Day holiday
    assert share_request.due_at == datetime(2026, 10, 12, 23, 59, 59, tzinfo=SHANGHAI)
    assert not Grant.objects.exists()
    assert InboxMessage.objects.filter(user=world.police_official, title__contains="共享申请").exists()
    assert allowed_actions(world.police_official, share_request) == {"decide"}
    assert allowed_actions(world.market_official, share_request) == {"withdraw"}


def test_decision_days_is_a_setting(world, population, settings):
    settings.YIWANG_SHARING_DECISION_DAYS = 1
    share_request = ask(world.market_official, population, ["gender"])
    assert share_request.due_at == datetime(2026, 9, 22, 23, 59, 59, tzinfo=SHANGHAI)


def test_approval_opens_a_grant_for_the_fields_asked(world, population, django_capture_on_commit_callbacks):
    share_request = ask(world.market_official, population, ["gender", "household_region"])
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.decide_request(
            share_request, actor=world.police_official, decision="approve", quota_per_day=1000
        )
    assert decided.status == RequestStatus.APPROVED
    grant = Grant.objects.get(from_request=share_request)
    assert grant.fields == ["gender", "household_region"]
    assert (grant.valid_from, grant.valid_until) == (date(2026, 9, 21), date(2027, 9, 20))
    assert grant.quota_per_day == 1000
    assert reads.active_grant(world.market, population) == grant
    assert reads.active_grant(world.police, population) is None
    assert InboxMessage.objects.filter(user=world.market_official, title__contains="已同意").exists()


def test_narrowing_grants_fewer_fields_or_a_shorter_period(world, population):
    share_request = ask(world.market_official, population, ["id_number", "name", "gender"])
    decided = services.decide_request(
        share_request,
        actor=world.police_official,
        decision="narrow",
        fields=["gender"],
        period_end=date(2026, 12, 31),
        note="仅提供性别",
    )
    assert decided.status == RequestStatus.NARROWED
    assert decided.granted_fields == ["gender"]
    grant = Grant.objects.get(from_request=share_request)
    assert grant.fields == ["gender"]
    assert grant.valid_until == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("fields", "period_end"),
    [
        (["address"], None),  # not asked for
        (["id_number", "name", "gender"], None),  # nothing narrowed
        (["gender"], date(2028, 1, 1)),  # longer than asked
        ([], None),
    ],
)
def test_narrowing_must_narrow(world, population, fields, period_end):
    share_request = ask(world.market_official, population, ["id_number", "name", "gender"])
    with pytest.raises(DomainError) as refused:
        services.decide_request(
            share_request,
            actor=world.police_official,
            decision="narrow",
            fields=fields,
            period_end=period_end,
        )
    assert refused.value.status == 400


def test_refusal_needs_a_reason(world, population):
    share_request = ask(world.market_official, population, ["id_number"])
    with pytest.raises(DomainError) as no_reason:
        services.decide_request(share_request, actor=world.police_official, decision="refuse")
    assert no_reason.value.code == "sharing_reason_required"
    refused = services.decide_request(
        share_request, actor=world.police_official, decision="refuse", note="用途与身份号码无关"
    )
    assert refused.status == RequestStatus.REFUSED
    assert not Grant.objects.exists()
    with pytest.raises(DomainError) as again:
        services.decide_request(share_request, actor=world.police_official, decision="approve")
    assert again.value.code == "sharing_invalid_transition"


def test_only_the_provider_decides(world, population):
    share_request = ask(world.market_official, population, ["gender"])
    for actor in (world.market_official, world.reviewer, world.market_clerk):
        with pytest.raises(DomainError) as refused:
            services.decide_request(share_request, actor=actor, decision="approve")
        assert refused.value.status == 403


def test_unconditional_resource_is_granted_at_once(world, legal_persons):
    share_request = ask(world.police_official, legal_persons, ["credit_code", "name", "status"])
    assert share_request.status == RequestStatus.APPROVED
    assert share_request.due_at is None
    grant = reads.active_grant(world.police, legal_persons)
    assert grant is not None and grant.from_request == share_request
    assert grant.fields == ["credit_code", "name", "status"]


def test_personal_fields_of_an_unconditional_resource_are_reviewed(world, legal_persons):
    share_request = ask(world.police_official, legal_persons, ["credit_code", "legal_representative_id"])
    assert share_request.status == RequestStatus.PENDING
    assert reads.active_grant(world.police, legal_persons) is None


def test_no_share_is_refused_with_its_legal_basis(world):
    secret = published_resource(
        world.police_official,
        world.reviewer,
        name="在逃人员信息",
        share_type="none",
        no_share_basis="《保守国家秘密法》第九条",
    )
    assert "request" not in allowed_actions(world.market_official, secret)
    share_request = ask(world.market_official, secret, ["gender"])
    assert share_request.status == RequestStatus.REFUSED
    assert "《保守国家秘密法》第九条" in share_request.decision_note
    assert not Grant.objects.exists()


def test_request_input_is_checked(world, population):
    with pytest.raises(DomainError) as unknown:
        ask(world.market_official, population, ["salary"])
    assert unknown.value.code == "sharing_invalid_fields"
    with pytest.raises(DomainError) as reversed_period:
        ask(world.market_official, population, ["gender"], start=date(2026, 10, 1), end=date(2026, 9, 30))
    assert reversed_period.value.code == "sharing_invalid_period"
    with pytest.raises(DomainError) as too_long:
        ask(world.market_official, population, ["gender"], end=date(2036, 1, 1))
    assert too_long.value.code == "sharing_invalid_period"
    with pytest.raises(DomainError) as own:
        ask(world.police_official, population, ["gender"])
    assert own.value.code == "sharing_own_resource"
    with pytest.raises(DomainError) as clerk:
        ask(world.market_clerk, population, ["gender"])
    assert clerk.value.status == 403


def test_overdue_requests_are_listed(world, population, frozen):
    share_request = ask(world.market_official, population, ["gender"])
    inbox = reads.requests_as_provider(world.police_official)
    assert list(reads.overdue(inbox)) == []
    frozen.move_to(datetime(2026, 10, 13, 9, 0, tzinfo=SHANGHAI))
    assert list(reads.overdue(inbox)) == [share_request]
    assert reads.is_overdue(share_request)
    # a late answer is still possible, and recorded as late
    services.decide_request(share_request, actor=world.police_official, decision="approve")
    assert list(reads.overdue(inbox)) == []


def test_grants_and_stale_requests_expire(world, population, frozen):
    granted = ask(world.market_official, population, ["gender"], end=date(2026, 9, 30))
    services.decide_request(granted, actor=world.police_official, decision="approve")
    stale = ask(world.market_official, population, ["name"], end=date(2026, 9, 30))
    grant = Grant.objects.get()
    assert (
        reads.active_grant(world.market, population, datetime(2026, 9, 30, 23, 0, tzinfo=SHANGHAI)) == grant
    )
    frozen.move_to(datetime(2026, 10, 1, 2, 0, tzinfo=SHANGHAI))
    assert reads.active_grant(world.market, population) is None  # past its last day even before the job
    report = services.expire_grants()
    assert (report.grants, report.requests) == (1, 1)
    grant.refresh_from_db()
    stale.refresh_from_db()
    assert grant.status == GrantStatus.EXPIRED
    assert stale.status == RequestStatus.EXPIRED
    assert services.expire_grants() == services.ExpiryReport(grants=0, requests=0)


def test_revoke_and_retire_stop_the_grant(world, population, legal_persons):
    ask(world.police_official, legal_persons, ["credit_code"])
    grant = reads.active_grant(world.police, legal_persons)
    assert allowed_actions(world.market_official, grant) == {"revoke"}
    assert allowed_actions(world.reviewer, grant) == frozenset()
    with pytest.raises(DomainError):
        services.revoke_grant(grant, actor=world.market_official, reason="")
    with pytest.raises(DomainError) as outsider:
        services.revoke_grant(grant, actor=world.reviewer, reason="x")
    assert outsider.value.status == 403
    services.revoke_grant(grant, actor=world.market_official, reason="使用方超范围使用")
    assert reads.active_grant(world.police, legal_persons) is None
    share_request = ask(world.market_official, population, ["gender"])
    services.decide_request(share_request, actor=world.police_official, decision="approve")
    assert reads.active_grant(world.market, population) is not None
    services.retire_resource(population, actor=world.police_official, reason="停止维护")
    assert reads.active_grant(world.market, population) is None


def test_withdraw(world, population):
    share_request = ask(world.market_official, population, ["gender"])
    with pytest.raises(DomainError):
        services.withdraw_request(share_request, actor=world.police_official)
    withdrawn = services.withdraw_request(share_request, actor=world.market_official)
    assert withdrawn.status == RequestStatus.WITHDRAWN
    assert allowed_actions(world.police_official, withdrawn) == frozenset()


def test_the_scheduler_command_expires(world, population, frozen):
    import io

    from django.core.management import call_command

    granted = ask(world.market_official, population, ["gender"], end=date(2026, 9, 30))
    services.decide_request(granted, actor=world.police_official, decision="approve")
    frozen.move_to(datetime(2026, 10, 2, 0, 10, tzinfo=SHANGHAI))
    out = io.StringIO()
    call_command("expire_sharing_grants", stdout=out)
    assert "到期授权 1 项" in out.getvalue()
    assert Grant.objects.get().status == GrantStatus.EXPIRED
