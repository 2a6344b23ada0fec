"""Shared steps of the ticket services: lock, check the allowed action, record the event and audit,
compute working-day deadlines, notify after commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from yiwang.core import audit
from yiwang.core.calendar import add_working_days
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.core.outbox import enqueue_with_transaction
from yiwang.tickets import tasks
from yiwang.tickets.actions import allowed_actions, may_see
from yiwang.tickets.errors import TicketErrorCode
from yiwang.tickets.models import DeadlineRule, Ticket, TicketEvent

DEFAULT_DEADLINES = {  # category: (accept, reply) working days, when no DeadlineRule row exists
    "consultation": (1, 1),
    "help": (1, 3),
    "complaint": (1, 5),
    "suggestion": (1, 5),
    "praise": (1, 5),
}
TEXT_MAX = 4000


def text(value: str | None, field: str, *, label: str = "内容", limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(TicketErrorCode.INVALID_INPUT, f"请填写{label}", {field: ["必填"]})
    return value[:limit]


def deadlines(category: str, start: date) -> tuple[date, date]:
    """(accept by, reply by) counted in working days from ``start``."""
    rule = DeadlineRule.objects.filter(category=category).first()
    accept, reply = (rule.accept_days, rule.reply_days) if rule else DEFAULT_DEADLINES.get(category, (1, 5))
    return add_working_days(start, accept), add_working_days(start, reply)


def today() -> date:
    return timezone.localdate()


def locked(ticket: Ticket | Any, actor: Any, action: str) -> Ticket:
    """The ticket locked for update, after checking that ``actor`` may take ``action`` now."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    row = Ticket.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise NotFound("工单不存在", code=TicketErrorCode.NOT_FOUND)
    allowed = allowed_actions(actor, row)
    if action in allowed:
        return row
    if "view" not in allowed and not may_see(actor, row):
        raise NotFound("工单不存在", code=TicketErrorCode.NOT_FOUND)
    if action in allowed_actions(actor, row, ignore_status=True):
        raise Conflict(
            f"工单当前状态为“{row.get_status_display()}”，不能执行此操作",
            code=TicketErrorCode.INVALID_STATE,
            fields={"status": [row.status]},
        )
    raise PermissionDenied("您不能对该工单执行此操作", code=TicketErrorCode.FORBIDDEN)


def record(
    ticket: Ticket,
    kind: str,
    *,
    actor: Any,
    from_status: str,
    note: str = "",
    detail: dict[str, Any] | None = None,
    audited: bool = True,
    to_status: str | None = None,
    with_department: bool = True,
) -> TicketEvent:
    """The ticket's event and (unless ``audited`` is False: a later record of the same transaction
    covers it) the audit record, in the caller's transaction.  ``to_status`` / ``with_department``
    describe an intermediate step of the same transaction (filed, then dispatched in one insert)."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    event = TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor_obj,
        from_status=from_status,
        to_status=to_status or ticket.status,
        department=ticket.department if with_department else None,
        note=note[:2000],
        occurred_at=timezone.now(),
    )
    if not audited:
        return event
    audit.record(
        f"tickets.{kind}",
        actor=actor_obj,
        obj=ticket,
        detail={"number": ticket.number, "from": from_status, "to": ticket.status, **(detail or {})},
    )
    return event


def tell_applicant(ticket: Ticket, kind: str) -> None:
    """The applicant is told after commit; with the database queue the task row is written in this
    transaction (``core.outbox``: one commit per ticket instead of one per message)."""
    enqueue_with_transaction(tasks.notify_applicant, ticket.pk, kind)


def tell_department(ticket: Ticket, kind: str) -> None:
    enqueue_with_transaction(tasks.notify_department, ticket.pk, kind)


def tell_agents(ticket: Ticket, kind: str) -> None:
    enqueue_with_transaction(tasks.notify_agents, ticket.pk, kind)
