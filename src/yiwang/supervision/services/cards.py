"""红黄牌 Cards per department and period, suggested by thresholds or issued by a supervisor, and
appeals (申诉) by the department's staff decided by a supervisor.  Every step audited."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.supervision.actions import belongs_to, card_actions, supervises
from yiwang.supervision.errors import SupervisionErrorCode
from yiwang.supervision.models import (
    Appeal,
    AppealStatus,
    Card,
    CardColour,
    CardStatus,
    SupervisionWarning,
    WarningLevel,
)

# Suggestion thresholds: red warnings raised in the period.
SUGGEST_RED_CARD_AT = 10
SUGGEST_YELLOW_CARD_AT = 3


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(SupervisionErrorCode.TEXT_REQUIRED, "须填写理由", {field: ["必填"]})
    return value[:2000]


def _period(start: date, end: date) -> None:
    if end < start:
        raise DomainError(
            SupervisionErrorCode.INVALID_PERIOD, "期间结束早于开始", {"period_end": ["早于开始日期"]}
        )


def issue_card(
    department: Organisation, *, actor: User, colour: str, period_start: date, period_end: date, reason: str
) -> Card:
    if not supervises(actor, department.pk):
        raise PermissionDenied("仅数据范围内的监察人员可亮牌", code=SupervisionErrorCode.FORBIDDEN)
    if colour not in CardColour.values:
        raise DomainError(SupervisionErrorCode.INVALID_STATE, "牌色无效", {"colour": [colour]}, status=400)
    reason = _text(reason, "reason")
    _period(period_start, period_end)
    with transaction.atomic():
        card = Card.objects.create(
            department=department,
            colour=colour,
            period_start=period_start,
            period_end=period_end,
            reason=reason,
            status=CardStatus.ISSUED,
            issued_by=actor,
            issued_at=timezone.now(),
        )
        audit.record("supervision.card.issued", actor=actor, obj=card, detail={"colour": colour})
    return card


def suggest_cards(period_start: date, period_end: date) -> int:
    """Suggest cards for departments with many red warnings raised in the period (idempotent)."""
    _period(period_start, period_end)
    rows = (
        SupervisionWarning.objects.filter(
            level=WarningLevel.RED, raised_at__date__gte=period_start, raised_at__date__lte=period_end
        )
        .values("department_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=SUGGEST_YELLOW_CARD_AT)
    )
    made = 0
    for row in rows:
        colour = CardColour.RED if row["n"] >= SUGGEST_RED_CARD_AT else CardColour.YELLOW
        exists = Card.objects.filter(
            department_id=row["department_id"], period_start=period_start, period_end=period_end
        ).exists()
        if exists:
            continue
        try:
            with transaction.atomic():
                card = Card.objects.create(
                    department_id=row["department_id"],
                    colour=colour,
                    period_start=period_start,
                    period_end=period_end,
                    reason=f"期间内红色预警 {row['n']} 条",
                    status=CardStatus.SUGGESTED,
                    red_warnings=row["n"],
                )
                audit.record("supervision.card.suggested", obj=card, detail={"red_warnings": row["n"]})
                made += 1
        except IntegrityError:
            continue
    return made


def _locked_card(card: Card, actor: User, action: str) -> Card:
    locked = Card.objects.select_for_update().get(pk=card.pk)
    allowed = card_actions(actor, locked)
    if "view" not in allowed:
        raise PermissionDenied("该红黄牌不在您的数据范围内", code=SupervisionErrorCode.FORBIDDEN)
    if action not in allowed:
        own = (
            belongs_to(actor, locked.department_id)
            if action == "appeal"
            else supervises(actor, locked.department_id)
        )
        if own:
            raise Conflict(
                f"红黄牌当前状态为“{locked.get_status_display()}”，不能执行此操作",
                code=SupervisionErrorCode.INVALID_STATE,
                fields={"status": [locked.status]},
            )
        raise PermissionDenied("您不能对该红黄牌执行此操作", code=SupervisionErrorCode.FORBIDDEN)
    return locked


def confirm_suggestion(card: Card, *, actor: User, accept: bool) -> Card:
    with transaction.atomic():
        c = _locked_card(card, actor, "confirm" if accept else "dismiss")
        c.status = CardStatus.ISSUED if accept else CardStatus.REVOKED
        c.issued_by = actor
        c.issued_at = timezone.now()
        c.save(update_fields=["status", "issued_by", "issued_at", "updated_at"])
        audit.record(f"supervision.card.{'confirmed' if accept else 'dismissed'}", actor=actor, obj=c)
    return c


def file_appeal(card: Card, *, actor: User, reasons: str) -> Appeal:
    reasons = _text(reasons, "reasons")
    with transaction.atomic():
        c = _locked_card(card, actor, "appeal")
        appeal = Appeal.objects.create(card=c, reasons=reasons, filed_by=actor, filed_at=timezone.now())
        c.status = CardStatus.APPEALED
        c.save(update_fields=["status", "updated_at"])
        audit.record("supervision.appeal.filed", actor=actor, obj=appeal, detail={"card": str(c.public_id)})
    return appeal


def decide_appeal(card: Card, *, actor: User, revoke: bool, comment: str) -> Appeal:
    """Uphold (the card stands) or revoke (the card is withdrawn) the pending appeal."""
    comment = _text(comment, "comment")
    with transaction.atomic():
        c = _locked_card(card, actor, "revoke" if revoke else "uphold")
        appeal = Appeal.objects.select_for_update().get(card=c, status=AppealStatus.PENDING)
        appeal.status = AppealStatus.REVOKED if revoke else AppealStatus.UPHELD
        appeal.decided_by = actor
        appeal.decided_at = timezone.now()
        appeal.decision_comment = comment
        appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
        c.status = CardStatus.REVOKED if revoke else CardStatus.UPHELD
        c.save(update_fields=["status", "updated_at"])
        audit.record(
            f"supervision.appeal.{'revoked' if revoke else 'upheld'}",
            actor=actor,
            obj=appeal,
            detail={"card": str(c.public_id), "comment": comment[:500]},
        )
    return appeal
