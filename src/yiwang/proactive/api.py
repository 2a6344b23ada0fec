"""JSON API of the proactive app (/api/v1/proactive/).  Errors answer ``{"code","message","fields"}``
with the codes of :class:`yiwang.proactive.errors.ProactiveErrorCode` (docs/proactive.md lists them):
managers' rules with their reach and objections; the recipient's pushes, objections and settings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.core.paging import PageIn
from yiwang.proactive import reads, services
from yiwang.proactive.actions import is_manager, may_manage, push_actions, rule_actions
from yiwang.proactive.errors import ProactiveErrorCode
from yiwang.proactive.models import Objection, Push, Rule
from yiwang.proactive.schemas import (
    ProactiveDecisionIn,
    ProactiveObjectionOut,
    ProactiveObjectionPageOut,
    ProactivePreferenceIn,
    ProactivePreferenceOut,
    ProactivePushOut,
    ProactivePushPageOut,
    ProactiveReachOut,
    ProactiveReasonIn,
    ProactiveRuleIn,
    ProactiveRuleOut,
    ProactiveRulePageOut,
)
from yiwang.web.ui import current_user

router = Router(tags=["proactive"])


def _manager(request: HttpRequest) -> User:
    user = current_user(request)
    if not is_manager(user):
        raise DomainError(
            ProactiveErrorCode.FORBIDDEN, "仅事项管理员或系统管理员可管理主动服务规则", status=403
        )
    return user


def _rule(user: User, rule_id: UUID) -> Rule:
    rule = Rule.objects.select_related("organisation").filter(public_id=rule_id).first()
    if rule is None or not may_manage(user, rule):
        raise DomainError(ProactiveErrorCode.NOT_FOUND, "没有这条规则", status=404)
    return rule


def rule_out(user: User, rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.public_id,
        "name": rule.name,
        "event": rule.event,
        "event_label": str(rule.get_event_display()),
        "conditions": rule.conditions,
        "action": rule.action,
        "title": rule.title,
        "message": rule.message,
        "link": rule.link,
        "benefit_name": rule.benefit_name,
        "amount_fen": rule.amount_fen,
        "legal_basis": rule.legal_basis,
        "status": rule.status,
        "version": rule.version,
        "organisation": rule.organisation.name,
        "updated_at": rule.updated_at,
        "allowed_actions": rule_actions(user, rule),
    }


def push_out(user: User, push: Push) -> dict[str, Any]:
    rule = push.rule
    open_objection = getattr(push, "has_open_objection", None)
    return {
        "id": push.public_id,
        "rule_id": rule.public_id,
        "rule_name": rule.name,
        "rule_version": push.rule_version,
        "title": rule.title,
        "message": rule.message,
        "link": rule.link,
        "status": push.status,
        "grant_status": push.grant_status,
        "benefit_name": rule.benefit_name if push.grant_status else "",
        "amount_fen": push.amount_fen,
        "legal_basis": rule.legal_basis if push.grant_status else "",
        "facts": push.facts,
        "created_at": push.created_at,
        "objection_status": "open" if open_objection else "",
        "allowed_actions": push_actions(user, push, open_objection=open_objection),
    }


def objection_out(o: Objection) -> dict[str, Any]:
    return {
        "id": o.public_id,
        "push_id": o.push.public_id,
        "rule_name": o.push.rule.name,
        "reason": o.reason,
        "status": o.status,
        "decision_note": o.decision_note,
        "corrected_amount_fen": o.corrected_amount_fen,
        "amount_fen": o.push.amount_fen,
        "created_at": o.created_at,
        "decided_at": o.decided_at,
    }


# --- managers ---------------------------------------------------------------------------------------
@router.get("/rules", response=ProactiveRulePageOut, summary="Rules I manage (主动服务规则; managers)")
def list_rules(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    user = _manager(request)
    rows = reads.manageable_rules(user)
    return {"count": rows.count(), "results": [rule_out(user, r) for r in paging.window(rows)]}


@router.post("/rules", response={201: ProactiveRuleOut}, summary="Create a draft rule (managers)")
def create_rule(request: HttpRequest, body: ProactiveRuleIn) -> Status:
    user = _manager(request)
    return Status(201, rule_out(user, services.create_rule(user, body)))


@router.get("/rules/{rule_id}", response=ProactiveRuleOut, summary="A rule (managers)")
def get_rule(request: HttpRequest, rule_id: UUID) -> dict[str, Any]:
    user = _manager(request)
    return rule_out(user, _rule(user, rule_id))


@router.put("/rules/{rule_id}", response=ProactiveRuleOut, summary="Change a rule: a new version (managers)")
def update_rule(request: HttpRequest, rule_id: UUID, body: ProactiveRuleIn) -> dict[str, Any]:
    user = _manager(request)
    return rule_out(user, services.update_rule(user, _rule(user, rule_id), body))


@router.post(
    "/rules/{rule_id}/activate", response=ProactiveRuleOut, summary="Activate a draft rule (managers)"
)
def activate_rule(request: HttpRequest, rule_id: UUID) -> dict[str, Any]:
    user = _manager(request)
    return rule_out(user, services.activate_rule(user, _rule(user, rule_id)))


@router.post("/rules/{rule_id}/retire", response=ProactiveRuleOut, summary="Retire an active rule (managers)")
def retire_rule(request: HttpRequest, rule_id: UUID) -> dict[str, Any]:
    user = _manager(request)
    return rule_out(user, services.retire_rule(user, _rule(user, rule_id)))


@router.get(
    "/rules/{rule_id}/reach", response=ProactiveReachOut, summary="A rule's reach (覆盖情况; managers)"
)
def rule_reach(request: HttpRequest, rule_id: UUID) -> dict[str, Any]:
    user = _manager(request)
    return vars(reads.reach(_rule(user, rule_id)))


@router.get("/objections", response=ProactiveObjectionPageOut, summary="Objections to decide (managers)")
def list_objections(request: HttpRequest, paging: Query[PageIn], status: str = "open") -> dict[str, Any]:
    user = _manager(request)
    rows = reads.objections_for(user, status=status if status in ("open", "upheld", "rejected") else "")
    return {"count": rows.count(), "results": [objection_out(o) for o in paging.window(rows)]}


@router.post(
    "/objections/{objection_id}/decision",
    response=ProactiveObjectionOut,
    summary="Uphold or reject (managers)",
)
def decide_objection(request: HttpRequest, objection_id: UUID, body: ProactiveDecisionIn) -> dict[str, Any]:
    user = _manager(request)
    objection = Objection.objects.select_related("push__rule").filter(public_id=objection_id).first()
    if objection is None or not may_manage(user, objection.push.rule):
        raise DomainError(ProactiveErrorCode.NOT_FOUND, "没有这条异议", status=404)
    services.decide_objection(user, objection, body)
    objection.refresh_from_db()
    return objection_out(objection)


# --- recipients -------------------------------------------------------------------------------------
@router.get("/mine", response=ProactivePushPageOut, summary="Pushes and grants I received (我的主动服务)")
def my_pushes(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    user = current_user(request)
    rows = reads.my_pushes(user)
    return {"count": rows.count(), "results": [push_out(user, p) for p in paging.window(rows)]}


def _my_push(user: User, push_id: UUID) -> Push:
    push = reads.my_pushes(user).filter(public_id=push_id).first()
    if push is None:
        raise DomainError(ProactiveErrorCode.NOT_FOUND, "没有这条记录", status=404)
    return push


@router.get("/mine/{push_id}", response=ProactivePushOut, summary="One push or grant of mine")
def my_push(request: HttpRequest, push_id: UUID) -> dict[str, Any]:
    user = current_user(request)
    return push_out(user, _my_push(user, push_id))


@router.post(
    "/mine/{push_id}/objections",
    response={201: ProactiveObjectionOut},
    summary="Object to a grant (提出异议)",
)
def object_to(request: HttpRequest, push_id: UUID, body: ProactiveReasonIn) -> Status:
    user = current_user(request)
    objection = services.file_objection(user, _my_push(user, push_id), body.reason)
    return Status(201, objection_out(objection))


@router.get("/preferences", response=ProactivePreferenceOut, summary="My push settings")
def get_preferences(request: HttpRequest) -> dict[str, Any]:
    user = current_user(request)
    all_off, rules_off = reads.preferences(user)
    return {
        "all_off": all_off,
        "rules_off": list(Rule.objects.filter(pk__in=rules_off).values_list("public_id", flat=True)),
    }


@router.post(
    "/preferences", response=ProactivePreferenceOut, summary="Turn pushes on or off (all or one rule)"
)
def set_preferences(request: HttpRequest, body: ProactivePreferenceIn) -> dict[str, Any]:
    user = current_user(request)
    rule = None
    if body.rule_id is not None:
        rule = Rule.objects.filter(public_id=body.rule_id).first()
        if rule is None:
            raise DomainError(ProactiveErrorCode.NOT_FOUND, "没有这条规则", status=404)
    services.set_push_enabled(user, rule=rule, enabled=body.enabled)
    return get_preferences(request)
