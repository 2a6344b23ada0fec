"""Event-time checks: each anomaly rule on a known case, positive and negative, and the rule cache."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from yiwang.accounts.models import InboxMessage
from yiwang.cases.models import CaseMaterial, CaseStatus
from yiwang.cases.transitions import record_event
from yiwang.catalog.models import Material
from yiwang.supervision import ruleset
from yiwang.supervision.models import SupervisionRule, SupervisionWarning
from yiwang.supervision.services import create_rule, update_rule
from yiwang.testing.supervision import NOW, World, make_case

pytestmark = pytest.mark.usefixtures("rules")


def kinds(case) -> list[str]:
    return sorted(SupervisionWarning.objects.filter(case=case).values_list("kind", flat=True))


def fresh(world: World, **extra):
    return make_case(world.item, world.citizen, submitted_at=NOW - timedelta(days=1), **extra)


def test_decision_by_someone_without_the_approver_role(world: World) -> None:
    case = fresh(world, due_date=date(2026, 9, 24))
    record_event(case, "approved", actor=world.handler, from_status=CaseStatus.ACCEPTED)
    assert kinds(case) == ["decision_by_unauthorised"]
    other = fresh(world, due_date=date(2026, 9, 24))
    record_event(other, "approved", actor=world.approver, from_status=CaseStatus.ACCEPTED)
    record_event(other, "approved", actor=None, from_status=CaseStatus.ACCEPTED)  # 秒批
    assert kinds(other) == []


def test_refusal_without_a_reason(world: World) -> None:
    case = fresh(world, due_date=date(2026, 9, 24))
    record_event(case, "refused", actor=world.approver, from_status=CaseStatus.ACCEPTED)
    assert kinds(case) == ["refusal_without_reason"]
    reasoned = fresh(world, due_date=date(2026, 9, 24))
    record_event(
        reasoned, "refused", actor=world.approver, from_status=CaseStatus.ACCEPTED, comment="不符合条件"
    )
    assert kinds(reasoned) == []


def test_repeated_corrections(world: World) -> None:
    case = fresh(world, status=CaseStatus.CORRECTION_REQUIRED, accepted_at=None)
    record_event(case, "correction_requested", actor=world.clerk, from_status=CaseStatus.SUBMITTED)
    assert kinds(case) == []
    record_event(case, "correction_requested", actor=world.clerk, from_status=CaseStatus.SUBMITTED)
    assert kinds(case) == ["repeated_corrections"]
    record_event(case, "correction_requested", actor=world.clerk, from_status=CaseStatus.SUBMITTED)
    assert kinds(case) == ["repeated_corrections"]  # one open warning per case and rule


def test_steps_out_of_order(world: World) -> None:
    case = fresh(world, status=CaseStatus.SUBMITTED, accepted_at=None)
    record_event(case, "completed", actor=world.approver, from_status=CaseStatus.SUBMITTED, comment="x")
    assert kinds(case) == ["steps_out_of_order"]
    ordered = fresh(world, due_date=date(2026, 9, 24))
    record_event(ordered, "completed", actor=world.approver, from_status=CaseStatus.ACCEPTED)
    assert kinds(ordered) == []


def test_accepted_without_required_materials(world: World) -> None:
    material = Material.objects.filter(item=world.item, mandatory=True).first()
    if material is None:
        material = Material.objects.create(item=world.item, name="营业执照申请书", mandatory=True)
    case = fresh(world, status=CaseStatus.ACCEPTED, accepted_at=NOW)
    record_event(case, "accepted", actor=world.clerk, from_status=CaseStatus.SUBMITTED)
    assert kinds(case) == ["accepted_without_required_materials"]
    complete = fresh(world, status=CaseStatus.ACCEPTED, accepted_at=NOW)
    for m in Material.objects.filter(item=world.item, mandatory=True):
        CaseMaterial.objects.create(
            case=complete,
            material=m,
            material_name=m.name,
            file="x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by=world.citizen,
        )
    record_event(complete, "accepted", actor=world.clerk, from_status=CaseStatus.SUBMITTED)
    assert kinds(complete) == []


def test_terminal_event_closes_time_warnings(world: World) -> None:
    from yiwang.supervision.scan import run_scan

    case = fresh(world, due_date=date(2026, 9, 18))
    run_scan()
    assert kinds(case) == ["time_red"]
    record_event(case, "completed", actor=world.approver, from_status=CaseStatus.ACCEPTED)
    assert SupervisionWarning.objects.get(case=case).status == "closed"


def test_warning_is_sent_to_responsible_staff_and_supervisor(
    world: World, django_capture_on_commit_callbacks
) -> None:
    case = fresh(world, due_date=date(2026, 9, 24))
    with django_capture_on_commit_callbacks(execute=True):
        record_event(case, "refused", actor=world.approver, from_status=CaseStatus.ACCEPTED)
    for user in (world.handler, world.approver, world.supervisor):
        assert InboxMessage.objects.filter(user=user, title__startswith="电子监察预警").count() == 1
    assert not InboxMessage.objects.filter(user__in=[world.far_clerk, world.other_clerk]).exists()


def test_rule_change_reloads_the_cache_and_inactive_rules_are_skipped(world: World) -> None:
    rule = SupervisionRule.objects.get(kind="refusal_without_reason")
    ruleset.CACHE.snapshot()
    update_rule(rule, actor=world.supervisor, active=False, comment="试运行")
    assert ruleset.CACHE.rules("refusal_without_reason") == []
    case = fresh(world, due_date=date(2026, 9, 24))
    record_event(case, "refused", actor=world.approver, from_status=CaseStatus.ACCEPTED)
    assert kinds(case) == []


def test_check_queries_are_few(world: World, django_assert_max_num_queries) -> None:
    case = fresh(world, due_date=date(2026, 9, 24))
    ruleset.CACHE.snapshot()
    from yiwang.supervision.checks import on_case_event

    event = record_event(case, "approved", actor=world.approver, from_status=CaseStatus.ACCEPTED)
    with django_assert_max_num_queries(4):
        on_case_event(None, case=case, event=event)


def test_a_scoped_rule_supersedes_the_global_rule_of_its_kind(world: World) -> None:
    """The department's own 补正 rule (4 rounds) governs its cases instead of the global one (2 rounds);
    other departments stay under the global rule."""
    create_rule(
        code="market-corrections",
        kind="repeated_corrections",
        actor=world.supervisor,
        thresholds={"rounds": 4},
        scope_department=world.department,
    )
    case = fresh(world, status=CaseStatus.CORRECTION_REQUIRED, accepted_at=None)
    for _ in range(3):
        record_event(case, "correction_requested", actor=world.clerk, from_status=CaseStatus.SUBMITTED)
    assert kinds(case) == []
    record_event(case, "correction_requested", actor=world.clerk, from_status=CaseStatus.SUBMITTED)
    warning = SupervisionWarning.objects.get(case=case)
    assert warning.rule.code == "market-corrections"


def test_effective_rule_precedence() -> None:
    def rule(pk: int, item=None, dept=None, prefix=None) -> ruleset.CachedRule:
        return ruleset.CachedRule(pk, "time_red", 1, "red", {}, item, dept, prefix)

    everywhere, city, county, dept, item = (
        rule(1),
        rule(2, prefix="3401"),
        rule(3, prefix="340104"),
        rule(4, dept=7),
        rule(5, item=9),
    )
    rules = [item, dept, county, city, everywhere]
    assert ruleset.effective_rule(rules, 9, 7, "340104001") is item
    assert ruleset.effective_rule(rules, 8, 7, "340104001") is dept
    assert ruleset.effective_rule(rules, 8, 6, "340104001") is county
    assert ruleset.effective_rule(rules, 8, 6, "340102001") is city
    assert ruleset.effective_rule(rules, 8, 6, "320102001") is everywhere
    newer = rule(6)
    assert ruleset.effective_rule([everywhere, newer], 8, 6, "3201") is newer
