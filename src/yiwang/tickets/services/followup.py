"""回访与办结 Extensions (延期), revisits (回访 by the agent, or the applicant's own rating), merging
duplicates (合并) and closing (办结)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core.calendar import add_working_days
from yiwang.core.errors import Conflict, DomainError
from yiwang.tickets.actions import allowed_actions, owns
from yiwang.tickets.errors import TicketErrorCode
from yiwang.tickets.models import (
    ExtensionStatus,
    RevisitResult,
    Ticket,
    TicketExtension,
    TicketStatus,
)
from yiwang.tickets.services import common

MAX_EXTENSION_DAYS = 20
MAX_REOPEN = 1


def request_extension(ticket: Ticket, *, actor: User, days: int, reason: str) -> TicketExtension:
    """延期申请 The department asks for ``days`` more working days to reply."""
    reason = common.text(reason, "reason", label="延期理由", limit=1000)
    if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise DomainError(
            TicketErrorCode.INVALID_INPUT,
            f"延期天数须为 1–{MAX_EXTENSION_DAYS} 个工作日",
            {"days": [str(days)]},
        )
    with transaction.atomic():
        t = common.locked(ticket, actor, "extend")
        try:
            with transaction.atomic():
                extension = TicketExtension.objects.create(
                    ticket=t, days=days, reason=reason, requested_by=actor, previous_due=t.reply_due
                )
        except IntegrityError:
            raise Conflict("已有待审批的延期申请", code=TicketErrorCode.INVALID_STATE) from None
        common.record(
            t, "extension_requested", actor=actor, from_status=t.status, note=reason, detail={"days": days}
        )
        common.tell_agents(t, "extension_requested")
    return extension


def decide_extension(ticket: Ticket, *, actor: User, approve: bool, comment: str = "") -> TicketExtension:
    """延期审批 The hotline centre (agent) or a supervisor approves (the reply deadline moves by the
    working days asked) or refuses the pending request."""
    with transaction.atomic():
        t = common.locked(ticket, actor, "decide_extension")
        extension = (
            TicketExtension.objects.select_for_update()
            .filter(ticket=t, status=ExtensionStatus.PENDING)
            .first()
        )
        if extension is None:
            raise Conflict("没有待审批的延期申请", code=TicketErrorCode.INVALID_STATE)
        extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
        extension.decided_by = actor
        extension.decided_at = timezone.now()
        extension.comment = (comment or "").strip()[:1000]
        extension.save(update_fields=["status", "decided_by", "decided_at", "comment", "updated_at"])
        if approve and t.reply_due is not None:
            t.reply_due = add_working_days(t.reply_due, extension.days)
            t.overdue_flagged_at = None
            t.save(update_fields=["reply_due", "overdue_flagged_at", "updated_at"])
        common.record(
            t,
            "extension_approved" if approve else "extension_rejected",
            actor=actor,
            from_status=t.status,
            note=extension.comment,
            detail={"days": extension.days, "reply_due": t.reply_due},
        )
        common.tell_department(t, "extension_decided")
    return extension


def revisit(ticket: Ticket, *, actor: User, result: str, note: str = "") -> Ticket:
    """回访 The agent's revisit or the applicant's own rating of the reply.

    满意 / 基本满意 close the ticket; 不满意 reopens it once (back to the department, a fresh reply
    deadline), a second 不满意 closes it with that verdict."""
    if result not in (RevisitResult.SATISFIED, RevisitResult.BASIC, RevisitResult.UNSATISFIED):
        raise DomainError(TicketErrorCode.INVALID_INPUT, "回访结果无效", {"result": [result]})
    with transaction.atomic():
        action = "rate" if owns(actor, ticket) else "revisit"
        t = common.locked(ticket, actor, action)
        from_status = t.status
        note = (note or "").strip()[:1000]
        t.revisit_result = result
        t.revisit_note = note
        t.revisited_at = timezone.now()
        fields = ["revisit_result", "revisit_note", "revisited_at", "status", "updated_at"]
        if result == RevisitResult.UNSATISFIED and t.reopened_count < MAX_REOPEN:
            t.status = TicketStatus.ACCEPTED
            t.reopened_count += 1
            t.revisit_result = ""  # the next reply is revisited afresh
            _, t.reply_due = common.deadlines(t.category, common.today())
            t.overdue_flagged_at = None
            fields += ["reopened_count", "reply_due", "overdue_flagged_at"]
            t.save(update_fields=fields)
            common.record(
                t, "reopened", actor=actor, from_status=from_status, note=note, detail={"result": result}
            )
            common.tell_department(t, "dispatched")
            return t
        t.save(update_fields=fields)
        common.record(
            t, "revisited", actor=actor, from_status=from_status, note=note, detail={"result": result}
        )
        _close(t, actor)
    return t


def _close(t: Ticket, actor: User) -> None:
    from_status = t.status
    t.status = TicketStatus.CLOSED
    t.closed_at = timezone.now()
    t.save(update_fields=["status", "closed_at", "updated_at"])
    common.record(t, "closed", actor=actor, from_status=from_status)
    common.tell_applicant(t, "closed")
    for dup in (
        Ticket.objects.select_for_update().filter(merged_into=t, status=TicketStatus.MERGED).order_by("pk")
    ):
        dup.status = TicketStatus.CLOSED
        dup.closed_at = t.closed_at
        dup.reply = t.reply
        dup.save(update_fields=["status", "closed_at", "reply", "updated_at"])
        common.record(
            dup, "closed", actor=actor, from_status=TicketStatus.MERGED, note=f"随主工单 {t.number} 办结"
        )
        common.tell_applicant(dup, "closed")


def close(ticket: Ticket, *, actor: User, note: str = "") -> Ticket:
    """办结 The agent closes a replied ticket without a revisit (e.g. the caller cannot be reached)."""
    with transaction.atomic():
        t = common.locked(ticket, actor, "close")
        if note.strip():
            t.revisit_note = note.strip()[:1000]
            t.save(update_fields=["revisit_note", "updated_at"])
        _close(t, actor)
    return t


def merge(ticket: Ticket, *, actor: User, into: Ticket) -> Ticket:
    """合并 A duplicate points to the main ticket and is closed with it; its contact is told."""
    if ticket.pk == into.pk:
        raise Conflict("不能与自身合并", code=TicketErrorCode.MERGE_INVALID)
    with transaction.atomic():
        first, second = sorted([ticket.pk, into.pk])  # fixed lock order
        rows = {
            row.pk: row
            for row in Ticket.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")
        }
        main = rows.get(into.pk)
        if main is None or "view" not in allowed_actions(actor, main):
            raise Conflict("主工单不存在或不可见", code=TicketErrorCode.MERGE_INVALID)
        if main.status in (TicketStatus.MERGED, TicketStatus.CLOSED):
            raise Conflict("主工单已办结或已被合并", code=TicketErrorCode.MERGE_INVALID)
        t = common.locked(ticket, actor, "merge")
        from_status = t.status
        t.status = TicketStatus.MERGED
        t.merged_into = main
        t.save(update_fields=["status", "merged_into", "updated_at"])
        for dup in Ticket.objects.select_for_update().filter(merged_into=t):
            dup.merged_into = main
            dup.save(update_fields=["merged_into", "updated_at"])
        common.record(t, "merged", actor=actor, from_status=from_status, detail={"into": main.number})
        common.tell_applicant(t, "merged")
    return t
