"""差评整改 The rectification of a bad review: open → verified (属实/不属实) → rectified → replied →
closed after the revisit (回访：满意/不满意); supervisors close or escalate at any step.

Deadlines are working days (``core.calendar``) from the day of the rating, by the rule of the
department's region (``RectificationRule``, longest prefix).  Every step locks the rectification
row, then its invitation (fixed order), checks :func:`yiwang.ratings.actions.rectification_actions`,
saves the changed fields and appends an audit record.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.calendar import add_working_days
from yiwang.core.errors import Conflict, DomainError, PermissionDenied
from yiwang.ratings.actions import department_may, rectification_actions
from yiwang.ratings.errors import RatingsErrorCode
from yiwang.ratings.models import Rating, RatingInvitation, Rectification, RectificationStatus
from yiwang.ratings.services.aggregates import mark_dirty
from yiwang.ratings.services.defaults import rule_for
from yiwang.ratings.tasks import notify_department, notify_reply

TEXT_MAX = 2000


def open_rectification(rating: Rating, invitation: RatingInvitation) -> Rectification:
    """Inside the rating's transaction: the task for the department, deadlines from today."""
    rule = rule_for(invitation.region_code)
    today = timezone.localdate(rating.rated_at)
    rect = Rectification.objects.create(
        rating=rating,
        invitation=invitation,
        department_id=invitation.organisation_id,
        callback_due=add_working_days(today, rule.callback_days),
        rectify_due=add_working_days(today, rule.rectify_days),
    )
    audit.record(
        "ratings.rectification.opened",
        obj=rect,
        detail={"callback_due": rect.callback_due.isoformat(), "rectify_due": rect.rectify_due.isoformat()},
    )
    pk = rect.pk
    transaction.on_commit(lambda: notify_department.enqueue(pk))
    return rect


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(RatingsErrorCode.TEXT_REQUIRED, "须填写内容", {field: ["必填"]})
    return value[:TEXT_MAX]


def _locked(rect: Rectification, actor: User, action: str) -> tuple[Rectification, RatingInvitation]:
    locked = Rectification.objects.select_for_update().get(pk=rect.pk)
    invitation = RatingInvitation.objects.select_for_update().get(pk=locked.invitation_id)
    allowed = rectification_actions(actor, locked)
    if "view" not in allowed:
        raise PermissionDenied("该整改任务不在您的数据范围内", code=RatingsErrorCode.FORBIDDEN)
    if action not in allowed:
        if department_may(actor, locked, action):
            raise Conflict(
                f"整改任务当前状态为“{locked.get_status_display()}”，不能执行此操作",
                code=RatingsErrorCode.INVALID_STATE,
                fields={"status": [locked.status]},
            )
        raise PermissionDenied("您不能对该整改任务执行此操作", code=RatingsErrorCode.FORBIDDEN)
    return locked, invitation


def _audit(rect: Rectification, actor: User, step: str, **detail: Any) -> None:
    audit.record(
        f"ratings.rectification.{step}", actor=actor, obj=rect, detail={"status": rect.status, **detail}
    )


def call_back(rect: Rectification, *, actor: User, genuine: bool, note: str) -> Rectification:
    """回访核实: the department called the applicant back and found the review genuine or not."""
    note = _text(note, "note")
    with transaction.atomic():
        r, inv = _locked(rect, actor, "callback")
        r.status = RectificationStatus.VERIFIED
        r.genuine = genuine
        r.callback_note = note
        r.called_back_at = timezone.now()
        r.called_back_by = actor
        r.save(
            update_fields=[
                "status",
                "genuine",
                "callback_note",
                "called_back_at",
                "called_back_by",
                "updated_at",
            ]
        )
        if not genuine:  # 不属实: nothing to rectify, counted as dealt with
            inv.bad_rectified = True
            inv.save(update_fields=["bad_rectified", "updated_at"])
            mark_dirty([inv.served_at])
        _audit(r, actor, "called_back", genuine=genuine)
    return r


def rectify(rect: Rectification, *, actor: User, text: str) -> Rectification:
    """整改: what the department changed."""
    text = _text(text, "text")
    with transaction.atomic():
        r, inv = _locked(rect, actor, "rectify")
        r.status = RectificationStatus.RECTIFIED
        r.rectification_text = text
        r.rectified_at = timezone.now()
        r.save(update_fields=["status", "rectification_text", "rectified_at", "updated_at"])
        inv.bad_rectified = True
        inv.save(update_fields=["bad_rectified", "updated_at"])
        mark_dirty([inv.served_at])
        _audit(r, actor, "rectified")
    return r


def reply(rect: Rectification, *, actor: User, text: str) -> Rectification:
    """答复: the department's answer, sent to the applicant after commit."""
    text = _text(text, "text")
    with transaction.atomic():
        r, inv = _locked(rect, actor, "reply")
        r.status = RectificationStatus.REPLIED
        r.reply_text = text
        r.replied_at = timezone.now()
        r.save(update_fields=["status", "reply_text", "replied_at", "updated_at"])
        inv.bad_replied = True
        inv.save(update_fields=["bad_replied", "updated_at"])
        mark_dirty([inv.served_at])
        _audit(r, actor, "replied")
        pk = r.pk
        transaction.on_commit(lambda: notify_reply.enqueue(pk))
    return r


def revisit(rect: Rectification, *, actor: User, satisfied: bool, note: str = "") -> Rectification:
    """回访: the applicant asked again, satisfied or not with the rectification; the task closes."""
    note = _text(note, "note", required=False)
    with transaction.atomic():
        r, inv = _locked(rect, actor, "revisit")
        now = timezone.now()
        r.status = RectificationStatus.CLOSED
        r.revisit_satisfied = satisfied
        r.revisit_note = note
        r.revisited_at = now
        r.closed_at = now
        r.save(
            update_fields=[
                "status",
                "revisit_satisfied",
                "revisit_note",
                "revisited_at",
                "closed_at",
                "updated_at",
            ]
        )
        inv.revisit_satisfied = satisfied
        inv.save(update_fields=["revisit_satisfied", "updated_at"])
        mark_dirty([inv.served_at])
        _audit(r, actor, "revisited", satisfied=satisfied)
    return r


def close(rect: Rectification, *, actor: User, comment: str) -> Rectification:
    """A supervisor closes the task (e.g. a malicious review confirmed)."""
    comment = _text(comment, "comment")
    with transaction.atomic():
        r, _inv = _locked(rect, actor, "close")
        r.status = RectificationStatus.CLOSED
        r.close_comment = comment
        r.closed_at = timezone.now()
        r.save(update_fields=["status", "close_comment", "closed_at", "updated_at"])
        _audit(r, actor, "closed")
    return r


def escalate(rect: Rectification, *, actor: User) -> Rectification:
    """A supervisor marks the task escalated (督办): the warning flag is raised."""
    with transaction.atomic():
        r, _inv = _locked(rect, actor, "escalate")
        r.escalated_at = timezone.now()
        r.warning = True
        r.save(update_fields=["escalated_at", "warning", "updated_at"])
        _audit(r, actor, "escalated")
    return r
