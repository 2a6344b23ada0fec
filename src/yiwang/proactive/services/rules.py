"""Rules: create and edit (each change a new version), activate, retire.  Managers only
(事项管理员 of the rule's department, within their data scope, or 系统管理员)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.accounts.roles import check_scope
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.proactive.actions import MANAGER_ROLES, is_manager
from yiwang.proactive.errors import ProactiveErrorCode
from yiwang.proactive.models import Rule, RuleStatus, RuleVersion
from yiwang.proactive.schemas import ProactiveRuleIn

DEFINITION_FIELDS = (
    "name",
    "event",
    "conditions",
    "action",
    "title",
    "message",
    "link",
    "benefit_name",
    "amount_fen",
    "legal_basis",
)


def _require_manager(actor: User) -> None:
    if not is_manager(actor):
        raise DomainError(
            ProactiveErrorCode.FORBIDDEN, "仅事项管理员或系统管理员可管理主动服务规则", status=403
        )


def _definition(body: ProactiveRuleIn) -> dict[str, Any]:
    data = body.model_dump(mode="json")
    data.pop("organisation_id", None)
    return data


def _organisation(actor: User, body: ProactiveRuleIn) -> Organisation:
    if body.organisation_id is None:
        return actor.staff_profile.organisation
    org = Organisation.objects.filter(public_id=body.organisation_id).first()
    if org is None:
        raise DomainError(ProactiveErrorCode.INVALID_INPUT, "部门不存在", {"organisation_id": ["部门不存在"]})
    return org


def _snapshot(rule: Rule, actor: User) -> None:
    RuleVersion.objects.create(
        rule=rule,
        version=rule.version,
        created_by=actor,
        definition={name: getattr(rule, name) for name in DEFINITION_FIELDS},
    )


def create_rule(actor: User, body: ProactiveRuleIn) -> Rule:
    _require_manager(actor)
    org = _organisation(actor, body)
    check_scope(actor, org.pk, MANAGER_ROLES)
    with transaction.atomic():
        rule = Rule.objects.create(organisation=org, created_by=actor, **_definition(body))
        _snapshot(rule, actor)
        audit.record(
            "proactive.rule_created", actor=actor, obj=rule, detail={"event": rule.event, "version": 1}
        )
    return rule


def _locked(actor: User, rule: Rule) -> Rule:
    _require_manager(actor)
    check_scope(actor, rule.organisation_id, MANAGER_ROLES, obj=rule)
    return Rule.objects.select_for_update().get(pk=rule.pk)


def update_rule(actor: User, rule: Rule, body: ProactiveRuleIn) -> Rule:
    """A new version of a draft or active rule (what was pushed keeps naming its version)."""
    with transaction.atomic():
        rule = _locked(actor, rule)
        if rule.status == RuleStatus.RETIRED:
            raise DomainError(ProactiveErrorCode.INVALID_STATE, "已停用的规则不能修改", status=409)
        definition = _definition(body)
        if rule.status == RuleStatus.ACTIVE and definition["event"] != rule.event:
            raise DomainError(
                ProactiveErrorCode.INVALID_STATE,
                "已启用规则的事件类型不能修改",
                {"event": ["不能修改"]},
                status=409,
            )
        for name, value in definition.items():
            setattr(rule, name, value)
        rule.version += 1
        rule.updated_at = timezone.now()
        rule.save(update_fields=[*DEFINITION_FIELDS, "version", "updated_at"])
        _snapshot(rule, actor)
        audit.record("proactive.rule_changed", actor=actor, obj=rule, detail={"version": rule.version})
    return rule


def _move(actor: User, rule: Rule, *, expected: str, to: str, stamp: str, message: str, event: str) -> Rule:
    """One status step of a rule: locked, checked, stamped (``stamp`` and ``updated_at``), audited."""
    with transaction.atomic():
        rule = _locked(actor, rule)
        if rule.status != expected:
            raise DomainError(ProactiveErrorCode.INVALID_STATE, message, status=409)
        rule.status = to
        now = timezone.now()
        setattr(rule, stamp, now)
        rule.updated_at = now
        rule.save(update_fields=["status", stamp, "updated_at"])
        audit.record(event, actor=actor, obj=rule, detail={"version": rule.version})
    return rule


def activate_rule(actor: User, rule: Rule) -> Rule:
    return _move(
        actor,
        rule,
        expected=RuleStatus.DRAFT,
        to=RuleStatus.ACTIVE,
        stamp="activated_at",
        message="只有草稿规则可以启用",
        event="proactive.rule_activated",
    )


def retire_rule(actor: User, rule: Rule) -> Rule:
    return _move(
        actor,
        rule,
        expected=RuleStatus.ACTIVE,
        to=RuleStatus.RETIRED,
        stamp="retired_at",
        message="只有已启用的规则可以停用",
        event="proactive.rule_retired",
    )
