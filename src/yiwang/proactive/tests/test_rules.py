"""Rules: versions, states, validation, reach, who may manage them."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from yiwang.bases.models import BaseKind
from yiwang.core.errors import DomainError
from yiwang.proactive import reads
from yiwang.proactive.models import RuleStatus
from yiwang.proactive.schemas import ProactiveRuleIn, RuleConditions
from yiwang.proactive.services import activate_rule, retire_rule, run_scan, set_push_enabled, update_rule
from yiwang.testing import bases
from yiwang.testing.proactive import born, citizen_for, log_change, make_rule, rule_body

pytestmark = pytest.mark.django_db


def test_versions_and_states(world):
    rule = make_rule(world.manager, active=False)
    assert rule.versions.count() == 1
    rule = update_rule(world.manager, rule, rule_body(title="新标题"))
    assert (rule.version, rule.title) == (2, "新标题")
    assert rule.versions.get(version=2).definition["title"] == "新标题"
    rule = activate_rule(world.manager, rule)
    with pytest.raises(DomainError) as twice:
        activate_rule(world.manager, rule)
    assert twice.value.status == 409
    with pytest.raises(DomainError):
        update_rule(world.manager, rule, rule_body(event="retirement"))
    rule = retire_rule(world.manager, rule)
    assert rule.status == RuleStatus.RETIRED
    with pytest.raises(DomainError):
        update_rule(world.manager, rule, rule_body())


def test_only_managers_in_scope(world):
    with pytest.raises(DomainError) as clerk:
        make_rule(world.clerk)
    assert clerk.value.status == 403
    rule = make_rule(world.manager, active=False)
    with pytest.raises(DomainError) as other:
        activate_rule(world.other_manager, rule)
    assert other.value.status == 403


def test_pushes_name_the_version_they_followed(world):
    rule = make_rule(world.manager)
    born()
    run_scan()
    update_rule(world.manager, rule, rule_body(title="v2"))
    born()
    run_scan()
    assert sorted(rule.pushes.values_list("rule_version", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    "conditions",
    [
        {"region_prefix": "34A"},
        {"min_age": 10, "max_age": 5},
        {"industry_prefixes": ["65"]},
        {"capital_min_fen": 10, "capital_max_fen": 1},
        {"genders": ["other"]},
    ],
)
def test_bad_conditions_are_refused(conditions):
    with pytest.raises(ValidationError):
        RuleConditions.model_validate(conditions)


def test_grant_needs_benefit_and_basis():
    with pytest.raises(ValidationError):
        ProactiveRuleIn.model_validate({"name": "x", "event": "birth", "title": "t", "action": "grant"})


def test_reach_counts_subjects_pushes_grants_opt_outs(world):
    rule = make_rule(world.manager, conditions={"region_prefix": "3401"})
    first = born()
    born()
    bases.person(id_number=bases.id_number(birth=date(1980, 1, 1)))  # not a newborn
    account = citizen_for(first, "reach")
    set_push_enabled(account, rule=rule, enabled=False)
    run_scan()
    reach = reads.reach(rule)
    assert reach.matching == 2
    assert (reach.pushes, reach.skipped, reach.no_account, reach.grants, reach.opt_outs) == (2, 1, 1, 0, 1)


def test_conditions_age_and_gender(world):
    make_rule(world.manager, conditions={"genders": ["female"], "max_age": 0})
    girl = bases.person(id_number=bases.id_number(sequence=2, birth=date(2026, 12, 1)))
    boy = bases.person(id_number=bases.id_number(sequence=3, birth=date(2026, 12, 1)))
    log_change(BaseKind.POPULATION, girl.id_number)
    log_change(BaseKind.POPULATION, boy.id_number)
    report = run_scan()
    assert report.total == 1


def test_demo_rules_are_created_once(world):
    from yiwang.proactive.defaults import DEMO_RULES, ensure_demo_rules

    assert len(ensure_demo_rules()) == len(DEMO_RULES)
    assert ensure_demo_rules() == []
    born()
    assert run_scan().total >= 2  # the birth notice and the 育儿补贴 grant
