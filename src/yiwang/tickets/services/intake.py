"""受理 Filing a ticket: from the web or the app (the applicant), from a hotline call (the agent), or
from the assistant (智能客服, with the chat transcript).  The text is classified (keywords → category
suggestion and subject tags) and, outside the hotline, routed and dispatched at once by the rules."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.tickets.classification import classify
from yiwang.tickets.errors import TicketErrorCode
from yiwang.tickets.models import (
    Ticket,
    TicketCategory,
    TicketChannel,
    TicketCounter,
    TicketStatus,
    TicketTerm,
)
from yiwang.tickets.routing import route
from yiwang.tickets.services import common

NUMBER_PREFIX = "12345"
CONVERSATION_MAX = 100
ROLES = ("user", "assistant")


def next_number() -> str:
    """工单编号 ``12345-YYYYMMDD-NNNNNN`` from a daily counter row: one ``UPDATE … RETURNING``.

    Called before the filing transaction, so the row is locked for that one statement only and
    filings do not queue behind each other's transactions; the price is that a filing that fails
    afterwards leaves a gap in the day's numbers (as a database sequence would).  Inside a caller's
    transaction the row stays locked until that commits."""
    day = timezone.localdate()
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE day = %s RETURNING last",  # noqa: S608 - quoted name
            [connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    if row is None:  # the day's first ticket: create the row (get_or_create settles a race)
        TicketCounter.objects.get_or_create(day=day)
        return next_number()
    return f"{NUMBER_PREFIX}-{day:%Y%m%d}-{int(row[0]):06d}"


def _conversation(raw: list[dict[str, str]] | None) -> list[dict[str, str]]:
    turns: list[dict[str, str]] = []
    for i, turn in enumerate((raw or [])[:CONVERSATION_MAX]):
        role = str((turn or {}).get("role", ""))
        if role not in ROLES:
            raise DomainError(
                TicketErrorCode.INVALID_INPUT, "对话记录的角色无效", {"conversation": [f"{i}: {role}"]}
            )
        turns.append({"role": role, "text": str(turn.get("text", ""))[:2000]})
    return turns


def _check(category: str, channel: str) -> None:
    if category not in TicketCategory.values:
        raise DomainError(TicketErrorCode.INVALID_INPUT, "诉求类别无效", {"category": [category]})
    if channel not in TicketChannel.values:
        raise DomainError(TicketErrorCode.INVALID_INPUT, "受理渠道无效", {"channel": [channel]})


def create_ticket(
    *,
    actor: User | None,
    category: str,
    title: str,
    content: str,
    channel: str,
    region_code: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    conversation: list[dict[str, str]] | None = None,
    case_public_id: uuid.UUID | None = None,
    department: Organisation | None = None,
    dispatch: bool | None = None,
) -> Ticket:
    """受理工单 File a ticket.

    ``actor`` is the applicant (web, mobile, assistant: a citizen or company account, or None for an
    anonymous assistant chat) or the hotline agent recording a call.  ``dispatch`` (default: every
    channel but the hotline) routes the ticket by the rules (or to ``department``) and dispatches it
    at once; a hotline agent decides after the call (dispatch or 直接办结)."""
    _check(category, channel)
    title = common.text(title, "title", label="标题", limit=200)
    content = common.text(content, "content", label="诉求内容")
    region_code = (region_code or "").strip()[:12]
    if region_code and not region_code.isdigit():
        raise DomainError(TicketErrorCode.INVALID_INPUT, "行政区划代码无效", {"region_code": [region_code]})
    contact_phone = "".join(ch for ch in (contact_phone or "") if ch.isdigit() or ch == "-")[:20]
    turns = _conversation(conversation)
    staff_actor = actor is not None and getattr(actor, "kind", "") == "staff"
    applicant = actor if actor is not None and actor.is_authenticated and not staff_actor else None
    if applicant is not None and not contact_phone:
        contact_phone = applicant.phone or ""
    found = classify(f"{title}\n{content}")
    if dispatch is None:
        dispatch = channel != TicketChannel.HOTLINE
    target = department
    if dispatch and target is None:
        target = route(category=category, terms=[*found.keywords, *found.tags], region_code=region_code)
    now = timezone.now()
    number = next_number()
    routed = dispatch and target is not None
    with transaction.atomic():
        ticket = Ticket(
            number=number,
            category=category,
            channel=channel,
            status=TicketStatus.CREATED,
            title=title,
            content=content,
            region_code=region_code,
            applicant=applicant,
            contact_name=(contact_name or "").strip()[:100],
            contact_phone=contact_phone,
            conversation=turns,
            case_public_id=case_public_id,
            keywords=found.keywords,
            tags=found.tags,
            created_by=actor if staff_actor else None,
        )
        if routed:  # dispatched as it is filed: one INSERT with the department and deadlines
            dispatch_fields(ticket, target, actor=actor if staff_actor else None)  # type: ignore[arg-type]
        ticket.save(force_insert=True)
        TicketTerm.objects.bulk_create(
            [
                TicketTerm(ticket=ticket, term=t[:40], region_code=region_code, created_at=now)
                for t in found.keywords
            ]
        )
        # Filed and dispatched at once: one audit record (the dispatch's, marked ``created``).
        common.record(
            ticket,
            "created",
            actor=actor,
            from_status="",
            detail={"channel": channel},
            audited=not routed,
            to_status=TicketStatus.CREATED,
            with_department=not routed,
        )
        if routed:
            common.record(
                ticket,
                "dispatched",
                actor=actor if staff_actor else None,
                from_status=TicketStatus.CREATED,
                note="按派单规则自动派单",
                detail={"department": target.name, "created": True, "channel": channel},  # type: ignore[union-attr]
            )
            common.tell_department(ticket, "dispatched")
        if applicant is not None:
            common.tell_applicant(ticket, "created")
    return ticket


def set_dispatched(
    ticket: Ticket,
    department: Organisation,
    *,
    actor: Any,
    note: str = "",
    kind: str = "dispatched",
    detail: dict[str, Any] | None = None,
) -> None:
    """Hand a locked ticket to ``department`` with fresh deadlines (dispatch, transfer)."""
    from_status = ticket.status
    dispatch_fields(ticket, department, actor=actor)
    ticket.save(
        update_fields=[
            "department",
            "status",
            "dispatched_by",
            "dispatched_at",
            "accept_due",
            "reply_due",
            "accepted_by",
            "accepted_at",
            "overdue_flagged_at",
            "updated_at",
        ]
    )
    common.record(
        ticket,
        kind,
        actor=actor,
        from_status=from_status,
        note=note,
        detail={"department": department.name, **(detail or {})},
    )
    common.tell_department(ticket, "dispatched")


def dispatch_fields(ticket: Ticket, department: Organisation, *, actor: Any) -> None:
    """Set the fields of a dispatch to ``department`` (deadlines from today) without saving."""
    accept_due, reply_due = common.deadlines(ticket.category, common.today())
    ticket.department = department
    ticket.status = TicketStatus.DISPATCHED
    ticket.dispatched_by = actor if getattr(actor, "is_authenticated", False) else None
    ticket.dispatched_at = timezone.now()
    ticket.accept_due = accept_due
    ticket.reply_due = reply_due
    ticket.accepted_by = None
    ticket.accepted_at = None
    ticket.overdue_flagged_at = None
