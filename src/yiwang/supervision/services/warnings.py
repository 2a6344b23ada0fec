"""The warning lifecycle: open → acknowledged → explained / corrected → closed.

Every step locks the warning row, checks :func:`yiwang.supervision.actions.warning_actions`,
saves the changed fields and appends an audit record.  A rejected explanation sends the warning
back to ``acknowledged`` (to be corrected or explained again).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.supervision.actions import belongs_to, supervises, warning_actions
from yiwang.supervision.errors import SupervisionErrorCode
from yiwang.supervision.models import (
    OPEN_STATUSES,
    SupervisionWarning,
    WarningResolution,
    WarningSource,
    WarningStatus,
)
from yiwang.supervision.ruleset import CachedRule
from yiwang.supervision.tasks import notify_case_warning


def raise_warning(
    case: Case, rule: CachedRule, *, detail: dict[str, Any] | None = None, source: str = WarningSource.EVENT
) -> None:
    """Open a warning of ``rule`` on ``case`` unless one is open already (:func:`raise_warnings`)."""
    raise_warnings(case, [(rule, detail or {})], source=source)


def raise_warnings(
    case: Case, found: list[tuple[CachedRule, dict[str, Any]]], *, source: str = WarningSource.EVENT
) -> None:
    """Open the warnings of the rules ``found`` on ``case`` (rule, detail) unless open already, inside
    the caller's transaction, in one statement for all of them: ``INSERT … VALUES (…), (…) ON CONFLICT
    DO NOTHING`` against the partial unique index on the open warnings of a case and rule (no read
    first, no savepoint: docs/benchmarks.md "Supervision").  The recipients are told after commit; the
    task finds each warning by case and rule and tells them once."""
    if not found:
        return
    now = timezone.now()
    SupervisionWarning.objects.bulk_create(
        [
            SupervisionWarning(
                case_id=case.pk,
                rule_id=rule.id,
                rule_version=rule.version,
                kind=rule.kind,
                level=rule.level,
                department_id=case.handling_organisation_id,
                item_id=case.item_id,
                source=source,
                detail=detail,
                raised_at=now,
            )
            for rule, detail in found
        ],
        ignore_conflicts=True,
    )
    case_id, rule_ids = case.pk, [rule.id for rule, _ in found]

    def tell() -> None:
        for rule_id in rule_ids:
            notify_case_warning.enqueue(case_id, rule_id)

    transaction.on_commit(tell)


def _locked(warning: SupervisionWarning, actor: User, action: str) -> SupervisionWarning:
    locked = SupervisionWarning.objects.select_for_update().get(pk=warning.pk)
    allowed = warning_actions(actor, locked)
    if "view" not in allowed:
        raise PermissionDenied("该预警不在您的数据范围内", code=SupervisionErrorCode.FORBIDDEN)
    if action not in allowed:
        if _role_allows(actor, locked, action):
            raise Conflict(
                f"预警当前状态为“{locked.get_status_display()}”，不能执行此操作",
                code=SupervisionErrorCode.INVALID_STATE,
                fields={"status": [locked.status]},
            )
        raise PermissionDenied("您不能对该预警执行此操作", code=SupervisionErrorCode.FORBIDDEN)
    return locked


def _role_allows(actor: User, warning: SupervisionWarning, action: str) -> bool:
    """Would the actor be allowed in another state? (409 rather than 403.)"""
    if action in ("acknowledge", "explain", "correct"):
        return belongs_to(actor, warning.department_id)
    return supervises(actor, warning.department_id)


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(SupervisionErrorCode.TEXT_REQUIRED, "须填写说明", {field: ["必填"]})
    return value[:2000]


def _audit(warning: SupervisionWarning, actor: User, step: str, **detail: Any) -> None:
    audit.record(
        f"supervision.warning.{step}",
        actor=actor,
        obj=warning,
        detail={"case_id": warning.case_id, "kind": warning.kind, "status": warning.status, **detail},
    )


def acknowledge(warning: SupervisionWarning, *, actor: User) -> SupervisionWarning:
    with transaction.atomic():
        w = _locked(warning, actor, "acknowledge")
        w.status = WarningStatus.ACKNOWLEDGED
        w.acknowledged_by = actor
        w.acknowledged_at = timezone.now()
        w.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
        _audit(w, actor, "acknowledged")
    return w


def _ack_fields(w: SupervisionWarning, actor: User) -> list[str]:
    if w.acknowledged_at is None:
        w.acknowledged_by = actor
        w.acknowledged_at = timezone.now()
        return ["acknowledged_by", "acknowledged_at"]
    return []


def explain(warning: SupervisionWarning, *, actor: User, text: str) -> SupervisionWarning:
    text = _text(text, "explanation")
    with transaction.atomic():
        w = _locked(warning, actor, "explain")
        fields = _ack_fields(w, actor)
        w.status = WarningStatus.EXPLAINED
        w.explanation = text
        w.explained_by = actor
        w.explained_at = timezone.now()
        w.save(update_fields=["status", "explanation", "explained_by", "explained_at", "updated_at", *fields])
        _audit(w, actor, "explained", explanation=text[:500])
    return w


def mark_corrected(warning: SupervisionWarning, *, actor: User, text: str = "") -> SupervisionWarning:
    with transaction.atomic():
        w = _locked(warning, actor, "correct")
        fields = _ack_fields(w, actor)
        w.status = WarningStatus.CORRECTED
        w.resolution = WarningResolution.CORRECTED
        if text.strip():
            w.explanation = text.strip()[:2000]
            fields.append("explanation")
        w.save(update_fields=["status", "resolution", "updated_at", *fields])
        _audit(w, actor, "corrected")
    return w


def review_explanation(
    warning: SupervisionWarning, *, actor: User, accept: bool, comment: str = ""
) -> SupervisionWarning:
    """The supervisor accepts (the warning closes) or rejects (back to acknowledged) an explanation."""
    if not accept:
        comment = _text(comment, "comment")
    with transaction.atomic():
        w = _locked(warning, actor, "accept_explanation" if accept else "reject_explanation")
        now = timezone.now()
        w.reviewed_by = actor
        w.reviewed_at = now
        w.review_comment = comment.strip()[:2000]
        fields = ["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"]
        if accept:
            w.status = WarningStatus.CLOSED
            w.resolution = WarningResolution.EXPLANATION_ACCEPTED
            w.closed_at = now
            fields += ["resolution", "closed_at"]
        else:
            w.status = WarningStatus.ACKNOWLEDGED
        w.save(update_fields=fields)
        _audit(w, actor, "explanation_accepted" if accept else "explanation_rejected", comment=comment[:500])
    return w


def close(warning: SupervisionWarning, *, actor: User, comment: str = "") -> SupervisionWarning:
    """The supervisor closes a corrected warning."""
    with transaction.atomic():
        w = _locked(warning, actor, "close")
        w.status = WarningStatus.CLOSED
        w.closed_at = timezone.now()
        w.review_comment = comment.strip()[:2000]
        w.reviewed_by = actor
        w.reviewed_at = w.closed_at
        w.save(
            update_fields=[
                "status",
                "closed_at",
                "review_comment",
                "reviewed_by",
                "reviewed_at",
                "updated_at",
            ]
        )
        _audit(w, actor, "closed")
    return w


def close_cleared(case_id: int, kinds: tuple[str, ...]) -> int:
    """Close the case's not-closed warnings of ``kinds`` whose condition cleared (no audit per row:
    the event that cleared it is audited)."""
    return SupervisionWarning.objects.filter(
        case_id=case_id, kind__in=kinds, status__in=OPEN_STATUSES
    ).update(
        status=WarningStatus.CLOSED,
        resolution=WarningResolution.CLEARED,
        closed_at=timezone.now(),
        updated_at=timezone.now(),
    )
