"""办理 A ticket's handling: dispatch (派单), accept (签收), transfer (转办), return (退回), reply
(答复), and the hotline's direct answer (直接办结).  Each step: locked, checked against
:func:`allowed_actions`, saved, recorded (event + audit), people told after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.ratings.services.invitations import invite
from yiwang.tickets.errors import TicketErrorCode
from yiwang.tickets.models import Ticket, TicketStatus
from yiwang.tickets.routing import route
from yiwang.tickets.services import common
from yiwang.tickets.services.intake import set_dispatched


def _department(department: Organisation | None, ticket: Ticket) -> Organisation:
    if department is None:
        department = route(
            category=ticket.category, terms=[*ticket.keywords, *ticket.tags], region_code=ticket.region_code
        )
    if department is None or not department.is_active:
        raise DomainError(
            TicketErrorCode.NO_DEPARTMENT, "没有匹配的派单规则，请选择承办部门", {"department": ["必选"]}
        )
    return department


def dispatch(
    ticket: Ticket, *, actor: User, department: Organisation | None = None, note: str = ""
) -> Ticket:
    """派单 The agent hands the ticket to a department (the rules' choice unless overridden)."""
    with transaction.atomic():
        t = common.locked(ticket, actor, "dispatch")
        target = _department(department, t)
        set_dispatched(t, target, actor=actor, note=(note or "").strip()[:500], kind="dispatched")
    return t


def accept(ticket: Ticket, *, actor: User) -> Ticket:
    """签收 The department takes the ticket on."""
    with transaction.atomic():
        t = common.locked(ticket, actor, "accept")
        from_status = t.status
        t.status = TicketStatus.ACCEPTED
        t.accepted_by = actor
        t.accepted_at = timezone.now()
        t.save(update_fields=["status", "accepted_by", "accepted_at", "updated_at"])
        common.record(t, "accepted", actor=actor, from_status=from_status)
    return t


def transfer(ticket: Ticket, *, actor: User, department: Organisation, reason: str) -> Ticket:
    """转办 The department hands the ticket to another department, with a reason; the clock restarts."""
    reason = common.text(reason, "reason", label="转办理由", limit=1000)
    with transaction.atomic():
        t = common.locked(ticket, actor, "transfer")
        if department.pk == t.department_id or not department.is_active:
            raise DomainError(TicketErrorCode.INVALID_INPUT, "请选择其他承办部门", {"department": ["无效"]})
        set_dispatched(t, department, actor=actor, note=reason, kind="transferred")
    return t


def return_ticket(ticket: Ticket, *, actor: User, reason: str) -> Ticket:
    """退回 The department sends the ticket back to the hotline (not its business), with a reason."""
    reason = common.text(reason, "reason", label="退回理由", limit=1000)
    with transaction.atomic():
        t = common.locked(ticket, actor, "return")
        from_status = t.status
        t.status = TicketStatus.RETURNED
        t.department = None
        t.accepted_by = None
        t.accepted_at = None
        t.accept_due = None
        t.reply_due = None
        t.save(
            update_fields=[
                "status",
                "department",
                "accepted_by",
                "accepted_at",
                "accept_due",
                "reply_due",
                "updated_at",
            ]
        )
        common.record(t, "returned", actor=actor, from_status=from_status, note=reason)
        common.tell_agents(t, "returned")
    return t


def _replied(t: Ticket, actor: User, reply: str) -> None:
    t.reply = reply
    t.replied_by = actor
    t.replied_at = timezone.now()
    invite(
        subject_kind="ticket",
        subject_id=t.public_id,
        subject_label=f"12345 工单 {t.number}：{t.title}"[:200],
        organisation=t.department,  # type: ignore[arg-type]
        item=None,
        region_code=t.region_code or t.department.region.full_code,  # type: ignore[union-attr]
        applicant=t.applicant,
        phone=t.contact_phone if len(t.contact_phone) == 11 else "",
        served_at=t.replied_at,
    )


def reply(ticket: Ticket, *, actor: User, text: str) -> Ticket:
    """答复 The department answers; the applicant is told (inbox + SMS) and invited to rate."""
    text = common.text(text, "reply", label="答复内容")
    with transaction.atomic():
        t = common.locked(ticket, actor, "reply")
        from_status = t.status
        t.status = TicketStatus.REPLIED
        _replied(t, actor, text)
        t.save(update_fields=["status", "reply", "replied_by", "replied_at", "updated_at"])
        common.record(t, "replied", actor=actor, from_status=from_status)
        common.tell_applicant(t, "replied")
    return t


def answer(ticket: Ticket, *, actor: User, text: str) -> Ticket:
    """直接办结 The hotline agent answers a ticket (usually a consultation) on the spot and closes it."""
    text = common.text(text, "reply", label="答复内容")
    with transaction.atomic():
        t = common.locked(ticket, actor, "answer")
        from_status = t.status
        t.department = actor.staff_profile.organisation
        t.status = TicketStatus.CLOSED
        _replied(t, actor, text)
        t.closed_at = t.replied_at
        t.save(
            update_fields=[
                "status",
                "department",
                "reply",
                "replied_by",
                "replied_at",
                "closed_at",
                "updated_at",
            ]
        )
        common.record(t, "answered", actor=actor, from_status=from_status)
        common.tell_applicant(t, "replied")
    return t


def department_choices() -> list[Any]:
    """The active departments a ticket may go to (for the dispatch and transfer forms)."""
    return list(Organisation.objects.filter(is_active=True).order_by("name").only("pk", "public_id", "name"))
