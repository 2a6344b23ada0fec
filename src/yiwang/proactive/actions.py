"""What a user may do with a rule, a push (grant) or an objection — decided here, used by pages and API."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import StaffRole
from yiwang.accounts.roles import in_scope, roles_of
from yiwang.proactive.models import GrantStatus, Objection, ObjectionStatus, Push, Rule, RuleStatus
from yiwang.proactive.subjects import subject_digest

MANAGER_ROLES = (StaffRole.SERVICE_MANAGER, StaffRole.ADMIN)


def is_manager(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff_user", False):
        return False
    return bool(roles_of(user) & set(MANAGER_ROLES))


def may_manage(user: Any, rule: Rule) -> bool:
    return is_manager(user) and in_scope(user, rule.organisation_id, MANAGER_ROLES)


def rule_actions(user: Any, rule: Rule) -> list[str]:
    if not may_manage(user, rule):
        return []
    actions = ["view"]
    if rule.status != RuleStatus.RETIRED:
        actions.append("edit")
    if rule.status == RuleStatus.DRAFT:
        actions.append("activate")
    if rule.status == RuleStatus.ACTIVE:
        actions.append("retire")
    return actions


def owns(user: Any, push: Push) -> bool:
    digest = subject_digest(user)
    return bool(digest) and digest == push.subject_digest


def push_actions(user: Any, push: Push, *, open_objection: bool | None = None) -> list[str]:
    if not owns(user, push):
        return []
    actions = ["view"]
    if push.grant_status in (GrantStatus.GRANTED, GrantStatus.CORRECTED):
        if open_objection is None:
            open_objection = push.objections.filter(status=ObjectionStatus.OPEN).exists()
        if not open_objection:
            actions.append("object")
    return actions


def objection_actions(user: Any, objection: Objection) -> list[str]:
    if not may_manage(user, objection.push.rule):
        return []
    return ["decide"] if objection.status == ObjectionStatus.OPEN else []
