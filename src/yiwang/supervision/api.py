"""JSON API of supervision (/api/v1/supervision/): warnings and their lifecycle, the rules with
their versions, red and yellow cards with appeals.  Lists are paged and bounded; what a user may
not see is a 404; every error answers ``{"code", "message", "fields"}``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router

from yiwang.accounts.models import User
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import NotFound
from yiwang.core.models import Organisation, Region
from yiwang.core.paging import PageIn
from yiwang.supervision import reads, services
from yiwang.supervision.actions import card_actions, rule_actions, warning_actions
from yiwang.supervision.errors import SupervisionErrorCode
from yiwang.supervision.models import Appeal, Card, SupervisionRule, SupervisionWarning
from yiwang.supervision.schemas import (
    AppealDecisionIn,
    AppealIn,
    AppealOut,
    CardIn,
    CardOut,
    CardPageOut,
    ReviewIn,
    RuleChangeIn,
    RuleDetailOut,
    RuleIn,
    RuleOut,
    RulePageOut,
    SuggestionDecisionIn,
    TextIn,
    WarningFilter,
    WarningOut,
    WarningPageOut,
)
from yiwang.web.ui import current_user

router = Router(tags=["supervision"])


def warning_out(user: User, w: SupervisionWarning) -> WarningOut:
    return WarningOut(
        id=w.public_id,
        case_id=w.case.public_id,
        case_number=w.case.number,
        item=w.item.name,
        department_id=w.department.public_id,
        department=w.department.name,
        rule_code=w.rule.code,
        rule_version=w.rule_version,
        kind=w.kind,
        kind_label=w.rule.get_kind_display(),
        level=w.level,
        level_label=str(w.get_level_display()),
        source=w.source,
        status=w.status,
        status_label=str(w.get_status_display()),
        resolution=w.resolution,
        detail=w.detail,
        raised_at=w.raised_at,
        explanation=w.explanation,
        review_comment=w.review_comment,
        closed_at=w.closed_at,
        allowed_actions=sorted(warning_actions(user, w)),
    )


def get_warning(user: User, warning_id: UUID) -> SupervisionWarning:
    w = reads.visible_warnings(user).filter(public_id=warning_id).first()
    if w is None:
        raise NotFound("预警不存在", code=SupervisionErrorCode.NOT_FOUND)
    return w


@router.get("/warnings", response=WarningPageOut, summary="Warnings (预警) I may see")
def list_warnings(
    request: HttpRequest, filters: Query[WarningFilter], paging: Query[PageIn]
) -> dict[str, Any]:
    user = current_user(request)
    rows = reads.filtered_warnings(
        reads.visible_warnings(user),
        level=filters.level,
        kind=filters.kind,
        status=filters.status,
        department=filters.department,
    )
    return {"count": rows.count(), "results": [warning_out(user, w) for w in paging.window(rows)]}


@router.get("/warnings/{uuid:warning_id}", response=WarningOut, summary="One warning")
def read_warning(request: HttpRequest, warning_id: UUID) -> WarningOut:
    user = current_user(request)
    return warning_out(user, get_warning(user, warning_id))


def _after(user: User, w: SupervisionWarning) -> WarningOut:
    return warning_out(user, get_warning(user, w.public_id))


@router.post("/warnings/{uuid:warning_id}/acknowledge", response=WarningOut, summary="签收")
def acknowledge(request: HttpRequest, warning_id: UUID) -> WarningOut:
    user = current_user(request)
    return _after(user, services.acknowledge(get_warning(user, warning_id), actor=user))


@router.post("/warnings/{uuid:warning_id}/explain", response=WarningOut, summary="情况说明")
def explain(request: HttpRequest, warning_id: UUID, body: TextIn) -> WarningOut:
    user = current_user(request)
    return _after(user, services.explain(get_warning(user, warning_id), actor=user, text=body.text))


@router.post("/warnings/{uuid:warning_id}/correct", response=WarningOut, summary="已纠正")
def correct(request: HttpRequest, warning_id: UUID, body: TextIn) -> WarningOut:
    user = current_user(request)
    return _after(user, services.mark_corrected(get_warning(user, warning_id), actor=user, text=body.text))


@router.post("/warnings/{uuid:warning_id}/review", response=WarningOut, summary="审核说明（采纳/退回）")
def review(request: HttpRequest, warning_id: UUID, body: ReviewIn) -> WarningOut:
    user = current_user(request)
    w = services.review_explanation(
        get_warning(user, warning_id), actor=user, accept=body.accept, comment=body.comment
    )
    return _after(user, w)


@router.post("/warnings/{uuid:warning_id}/close", response=WarningOut, summary="关闭已纠正的预警")
def close(request: HttpRequest, warning_id: UUID, body: TextIn) -> WarningOut:
    user = current_user(request)
    return _after(user, services.close(get_warning(user, warning_id), actor=user, comment=body.text))


# --- rules -----------------------------------------------------------------------------------------
def rule_out(user: User, rule: SupervisionRule) -> dict[str, Any]:
    return {
        "id": rule.public_id,
        "code": rule.code,
        "kind": rule.kind,
        "kind_label": rule.get_kind_display(),
        "name": rule.name,
        "level": rule.level,
        "thresholds": rule.thresholds,
        "scope_item": rule.scope_item.public_id if rule.scope_item else None,
        "scope_department": rule.scope_department.public_id if rule.scope_department else None,
        "scope_region": rule.scope_region.code if rule.scope_region else None,
        "active": rule.active,
        "version": rule.version,
        "allowed_actions": sorted(rule_actions(user)),
    }


def _staff_only(user: User) -> None:
    if not rule_actions(user):
        raise NotFound("监察规则不存在", code=SupervisionErrorCode.NOT_FOUND)


def get_rule(user: User, rule_id: UUID) -> SupervisionRule:
    _staff_only(user)
    rule = reads.rules().filter(public_id=rule_id).first()
    if rule is None:
        raise NotFound("监察规则不存在", code=SupervisionErrorCode.NOT_FOUND)
    return rule


@router.get("/rules", response=RulePageOut, summary="Supervision rules (监察规则)")
def list_rules(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    user = current_user(request)
    if not rule_actions(user):
        return {"count": 0, "results": []}
    rows = reads.rules()
    return {"count": rows.count(), "results": [rule_out(user, r) for r in paging.window(rows)]}


@router.get("/rules/{uuid:rule_id}", response=RuleDetailOut, summary="One rule with its versions")
def read_rule(request: HttpRequest, rule_id: UUID) -> dict[str, Any]:
    user = current_user(request)
    rule = get_rule(user, rule_id)
    return {**rule_out(user, rule), "versions": list(rule.versions.order_by("-version")[:100])}


def _scope_objects(body: RuleIn) -> dict[str, Any]:
    def one(model: Any, **lookup: Any) -> Any:
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            raise NotFound("适用范围不存在", code=SupervisionErrorCode.NOT_FOUND)
        return obj

    return {
        "scope_item": one(ServiceItem, public_id=body.scope_item) if body.scope_item else None,
        "scope_department": one(Organisation, public_id=body.scope_department)
        if body.scope_department
        else None,
        "scope_region": one(Region, code=body.scope_region) if body.scope_region else None,
    }


@router.post("/rules", response={201: RuleOut}, summary="Create a rule (监察人员)")
def create_rule(request: HttpRequest, body: RuleIn) -> tuple[int, dict[str, Any]]:
    user = current_user(request)
    rule = services.create_rule(
        code=body.code,
        kind=body.kind,
        actor=user,
        name=body.name,
        thresholds=body.thresholds,
        active=body.active,
        **_scope_objects(body),
    )
    return 201, rule_out(user, rule)


@router.patch("/rules/{uuid:rule_id}", response=RuleOut, summary="Change a rule (a new version)")
def change_rule(request: HttpRequest, rule_id: UUID, body: RuleChangeIn) -> dict[str, Any]:
    user = current_user(request)
    rule = get_rule(user, rule_id)
    changes = {k: v for k, v in body.dict(exclude={"comment"}).items() if v is not None}
    return rule_out(user, services.update_rule(rule, actor=user, comment=body.comment, **changes))


# --- cards -----------------------------------------------------------------------------------------
def card_out(user: User, card: Card) -> CardOut:
    return CardOut(
        id=card.public_id,
        department_id=card.department.public_id,
        department=card.department.name,
        colour=card.colour,
        colour_label=str(card.get_colour_display()),
        period_start=card.period_start,
        period_end=card.period_end,
        reason=card.reason,
        status=card.status,
        status_label=str(card.get_status_display()),
        red_warnings=card.red_warnings,
        appeals=[
            AppealOut(
                id=a.public_id,
                reasons=a.reasons,
                status=a.status,
                filed_at=a.filed_at,
                decided_at=a.decided_at,
                decision_comment=a.decision_comment,
            )
            for a in card.appeals.all()
        ],
        allowed_actions=sorted(card_actions(user, card)),
    )


def _cards(user: User) -> Any:
    return reads.visible_cards(user).prefetch_related(
        Prefetch("appeals", Appeal.objects.order_by("-filed_at"))
    )


def get_card(user: User, card_id: UUID) -> Card:
    card = _cards(user).filter(public_id=card_id).first()
    if card is None:
        raise NotFound("红黄牌不存在", code=SupervisionErrorCode.NOT_FOUND)
    return card


@router.get("/cards", response=CardPageOut, summary="Red and yellow cards (红黄牌) I may see")
def list_cards(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    user = current_user(request)
    rows = _cards(user)
    return {"count": rows.count(), "results": [card_out(user, c) for c in paging.window(rows)]}


@router.get("/cards/{uuid:card_id}", response=CardOut, summary="One card with its appeals")
def read_card(request: HttpRequest, card_id: UUID) -> CardOut:
    user = current_user(request)
    return card_out(user, get_card(user, card_id))


@router.post("/cards", response={201: CardOut}, summary="Issue a card (亮牌, 监察人员)")
def issue_card(request: HttpRequest, body: CardIn) -> tuple[int, CardOut]:
    user = current_user(request)
    department = Organisation.objects.filter(public_id=body.department).first()
    if department is None:
        raise NotFound("部门不存在", code=SupervisionErrorCode.NOT_FOUND)
    card = services.issue_card(
        department,
        actor=user,
        colour=body.colour,
        period_start=body.period_start,
        period_end=body.period_end,
        reason=body.reason,
    )
    return 201, card_out(user, get_card(user, card.public_id))


@router.post("/cards/{uuid:card_id}/appeal", response={201: CardOut}, summary="Appeal (申诉)")
def appeal(request: HttpRequest, card_id: UUID, body: AppealIn) -> tuple[int, CardOut]:
    user = current_user(request)
    services.file_appeal(get_card(user, card_id), actor=user, reasons=body.reasons)
    return 201, card_out(user, get_card(user, card_id))


@router.post("/cards/{uuid:card_id}/decision", response=CardOut, summary="Decide the appeal")
def decide(request: HttpRequest, card_id: UUID, body: AppealDecisionIn) -> CardOut:
    user = current_user(request)
    services.decide_appeal(get_card(user, card_id), actor=user, revoke=body.revoke, comment=body.comment)
    return card_out(user, get_card(user, card_id))


@router.post("/cards/{uuid:card_id}/confirm", response=CardOut, summary="Confirm a suggested card")
def confirm(request: HttpRequest, card_id: UUID, body: SuggestionDecisionIn) -> CardOut:
    user = current_user(request)
    services.confirm_suggestion(get_card(user, card_id), actor=user, accept=body.accept)
    return card_out(user, get_card(user, card_id))
