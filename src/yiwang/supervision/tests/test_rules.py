"""Rules as data: the default set (idempotent), versions on edit, validation, who may edit."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from yiwang.core.audit import AuditEvent
from yiwang.core.errors import DomainError
from yiwang.supervision import ruleset
from yiwang.supervision.models import RuleKind, SupervisionRule, SupervisionRuleVersion
from yiwang.supervision.services import create_rule, update_rule
from yiwang.testing.supervision import World


def test_defaults_are_installed_once(world: World) -> None:
    call_command("supervision_defaults")
    call_command("supervision_defaults")
    assert SupervisionRule.objects.count() == len(RuleKind.values)
    assert SupervisionRule.objects.get(kind="time_yellow").thresholds == {"share": 0.8}


def test_edit_creates_a_new_version_and_bumps_the_generation(world: World, rules: None) -> None:
    rule = SupervisionRule.objects.get(kind="time_yellow")
    before = ruleset.current_generation()
    updated = update_rule(rule, actor=world.supervisor, thresholds={"share": 0.7}, comment="收紧")
    assert updated.version == 2
    assert list(SupervisionRuleVersion.objects.filter(rule=rule).values_list("version", flat=True)) == [2, 1]
    assert ruleset.current_generation() != before
    assert AuditEvent.objects.filter(action="supervision.rule.updated").exists()
    # nothing changed: no new version
    assert update_rule(updated, actor=world.supervisor, thresholds={"share": 0.7}).version == 2
    with pytest.raises(RuntimeError):
        SupervisionRuleVersion.objects.first().save()  # type: ignore[union-attr]


@pytest.mark.parametrize("thresholds", [{"share": 1.5}, {"share": "x"}, {"unknown": 1}])
def test_invalid_thresholds(world: World, thresholds: dict) -> None:
    with pytest.raises(DomainError) as exc:
        create_rule(code="x", kind="time_yellow", actor=world.supervisor, thresholds=thresholds)
    assert exc.value.code == "supervision_invalid_thresholds"


def test_only_supervisors_edit_rules(world: World, rules: None) -> None:
    rule = SupervisionRule.objects.get(kind="time_red")
    with pytest.raises(DomainError) as exc:
        update_rule(rule, actor=world.approver, active=False)
    assert exc.value.status == 403


def test_scoped_rule(world: World) -> None:
    rule = create_rule(
        code="mkt-yellow",
        kind="time_yellow",
        actor=world.supervisor,
        thresholds={"share": 0.5},
        scope_department=world.department,
    )
    cached = ruleset.CACHE.rules("time_yellow")
    assert [r.id for r in cached] == [rule.pk]
    assert cached[0].applies(world.item.pk, world.department.pk, "340100000000")
    assert not cached[0].applies(world.far_item.pk, world.far_department.pk, "340200000000")
