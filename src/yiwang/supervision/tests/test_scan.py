"""The periodic scan: time rules and the scanned anomaly rules on known data, idempotence, auto-close."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from yiwang.accounts.models import InboxMessage
from yiwang.cases.models import CaseDelivery, CaseStatus, SpecialProcedure
from yiwang.supervision.models import SupervisionWarning, WarningResolution, WarningStatus
from yiwang.supervision.scan import run_scan, working_days_back
from yiwang.supervision.services import create_rule
from yiwang.testing.supervision import NOW, World, make_case

pytestmark = pytest.mark.usefixtures("rules")
TODAY = date(2026, 9, 21)


def warnings_of(case, kind: str) -> list[SupervisionWarning]:
    return list(SupervisionWarning.objects.filter(case=case, kind=kind))


def accepted(world: World, due: date, **extra):
    return make_case(world.item, world.citizen, submitted_at=NOW - timedelta(days=7), due_date=due, **extra)


def test_red_when_overdue_and_not_before(world: World) -> None:
    late = accepted(world, date(2026, 9, 18))
    on_time = accepted(world, date(2026, 9, 21))
    paused = accepted(world, date(2026, 9, 1), clock_paused=True)
    run_scan()
    assert [w.level for w in warnings_of(late, "time_red")] == ["red"]
    assert warnings_of(on_time, "time_red") == []
    assert warnings_of(paused, "time_red") == []


def test_yellow_at_share_of_committed_time(world: World) -> None:
    # committed 3 + extension 7 = 10 working days; 80 % elapsed = at most 2 days left.
    due_in_2 = accepted(world, date(2026, 9, 23), extension_days=7)
    due_in_3 = accepted(world, date(2026, 9, 24), extension_days=7)
    due_today = accepted(world, date(2026, 9, 21))  # 3 committed, 0 left
    run_scan()
    assert [w.level for w in warnings_of(due_in_2, "time_yellow")] == ["yellow"]
    assert warnings_of(due_in_3, "time_yellow") == []
    assert len(warnings_of(due_today, "time_yellow")) == 1


def test_scan_is_idempotent_and_closes_cleared_warnings(world: World) -> None:
    late = accepted(world, date(2026, 9, 18))
    first = run_scan()
    assert first.raised["default-time-red"] == 1
    second = run_scan()
    assert second.total_raised == 0 and second.total_closed == 0
    assert SupervisionWarning.objects.filter(case=late).count() == 1
    late.status = CaseStatus.COMPLETED
    late.completed_at = timezone.now()
    late.save(update_fields=["status", "completed_at"])
    third = run_scan()
    assert third.closed["default-time-red"] == 1
    warning = SupervisionWarning.objects.get(case=late)
    assert warning.status == WarningStatus.CLOSED
    assert warning.resolution == WarningResolution.CLEARED


def test_scan_notifies_a_digest_per_department(world: World, django_capture_on_commit_callbacks) -> None:
    accepted(world, date(2026, 9, 18))
    accepted(world, date(2026, 9, 17))
    with django_capture_on_commit_callbacks(execute=True):
        run_scan()
    digest = InboxMessage.objects.filter(user=world.supervisor, title="电子监察预警汇总")
    assert digest.count() == 1
    assert "红色 2 条" in digest.get().body
    assert InboxMessage.objects.filter(user=world.handler).count() == 1
    assert InboxMessage.objects.filter(user=world.far_clerk).count() == 0
    assert not SupervisionWarning.objects.filter(notified_at__isnull=True).exists()


def test_long_special_procedure(world: World) -> None:
    long_case = accepted(world, date(2026, 10, 30), clock_paused=True)
    short_case = accepted(world, date(2026, 10, 30), clock_paused=True)
    for case, days in ((long_case, 60), (short_case, 10)):
        SpecialProcedure.objects.create(
            case=case,
            kind="expert_review",
            reason="专家评审",
            started_at=NOW - timedelta(days=days),
            started_by=world.handler,
        )
    run_scan()
    assert len(warnings_of(long_case, "long_special_procedure")) == 1
    assert warnings_of(short_case, "long_special_procedure") == []


def test_result_not_handed_over(world: World) -> None:
    def completed(days_ago: int):
        at = NOW - timedelta(days=days_ago)
        return make_case(
            world.item,
            world.citizen,
            status=CaseStatus.COMPLETED,
            submitted_at=at - timedelta(days=3),
            completed_at=at,
            outcome="approved",
        )

    stale, fresh, handed = completed(12), completed(1), completed(12)
    CaseDelivery.objects.create(case=handed, method="window", status="delivered", delivered_at=NOW)
    run_scan()
    assert len(warnings_of(stale, "result_not_handed_over")) == 1
    assert warnings_of(fresh, "result_not_handed_over") == []
    assert warnings_of(handed, "result_not_handed_over") == []


def test_licence_not_issued(world: World) -> None:
    world.item.result_licence_type_code = "11100000000013338W001"
    world.item.save(update_fields=["result_licence_type_code"])
    at = NOW - timedelta(days=2)
    missing = make_case(
        world.item,
        world.citizen,
        status=CaseStatus.COMPLETED,
        submitted_at=at,
        completed_at=at,
        outcome="approved",
    )
    recent = make_case(
        world.item,
        world.citizen,
        status=CaseStatus.COMPLETED,
        submitted_at=NOW,
        completed_at=NOW - timedelta(hours=2),
        outcome="approved",
    )
    no_type = make_case(
        world.far_item,
        world.citizen,
        status=CaseStatus.COMPLETED,
        submitted_at=at,
        completed_at=at,
        outcome="approved",
    )
    run_scan()
    assert len(warnings_of(missing, "licence_not_issued")) == 1
    assert warnings_of(recent, "licence_not_issued") == []
    assert warnings_of(no_type, "licence_not_issued") == []


def test_scoped_rule_only_sees_its_department(world: World) -> None:
    from yiwang.supervision.models import SupervisionRule

    SupervisionRule.objects.filter(kind="time_red").update(scope_department=world.far_department)
    mine = accepted(world, date(2026, 9, 18))
    far = make_case(
        world.far_item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 18)
    )
    run_scan()
    assert warnings_of(mine, "time_red") == []
    assert len(warnings_of(far, "time_red")) == 1


def test_working_days_back(world: World) -> None:
    assert working_days_back(TODAY, 1) == date(2026, 9, 20)  # Monday is the one working day after Sunday
    assert working_days_back(TODAY, 5) == date(2026, 9, 15)  # Sunday 20 September is a 调休 working day


def test_a_department_rule_supersedes_the_global_rule_and_clears_its_warnings(world: World) -> None:
    late = accepted(world, date(2026, 9, 18))
    far = make_case(
        world.far_item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 18)
    )
    run_scan()
    assert [w.rule.code for w in warnings_of(late, "time_red")] == ["default-time-red"]
    create_rule(code="market-red", kind="time_red", actor=world.supervisor, scope_department=world.department)
    result = run_scan()
    assert result.closed["default-time-red"] == 1 and result.raised["market-red"] == 1
    open_codes = sorted(
        SupervisionWarning.objects.filter(case__in=[late, far])
        .exclude(status=WarningStatus.CLOSED)
        .values_list("case_id", "rule__code")
    )
    assert open_codes == sorted([(late.pk, "market-red"), (far.pk, "default-time-red")])
