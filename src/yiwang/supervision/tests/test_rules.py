"""Rules as data: the default set (idempotent), versions on edit, validation, who may edit."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import F

from yiwang.core.audit import AuditEvent
from yiwang.core.errors import DomainError
from yiwang.supervision import ruleset
from yiwang.supervision.models import RuleGeneration, RuleKind, SupervisionRule, SupervisionRuleVersion
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


def test_a_rule_changed_elsewhere_applies_after_the_check_interval(
    world: World, rules: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADR 0018: the generation is read once per interval; a change in this process applies at once."""
    settings.YIWANG_SUPERVISION_RULES_CHECK_SECONDS = 1.0
    clock = [1000.0]
    monkeypatch.setattr(ruleset.time, "monotonic", lambda: clock[0])
    ruleset.CACHE.forget()
    assert ruleset.CACHE.rules("time_yellow")[0].thresholds == {"share": 0.8}
    # another process edits the rule: the row and the generation change, this process's memory does not
    SupervisionRule.objects.filter(kind="time_yellow").update(thresholds={"share": 0.6})
    RuleGeneration.objects.filter(pk=1).update(generation=F("generation") + 1, token=uuid.uuid4())
    clock[0] += 0.5
    assert ruleset.CACHE.rules("time_yellow")[0].thresholds == {"share": 0.8}
    clock[0] += 0.6
    assert ruleset.CACHE.rules("time_yellow")[0].thresholds == {"share": 0.6}
    # an edit in this process applies to the very next transition
    rule = SupervisionRule.objects.get(kind="time_yellow")
    update_rule(rule, actor=world.supervisor, thresholds={"share": 0.5}, comment="再收紧")
    assert ruleset.CACHE.rules("time_yellow")[0].thresholds == {"share": 0.5}
