"""JSON API of tickets (/api/v1/tickets/): applicants file and follow their tickets, staff work
their queues, hotline agents record calls and dispatch.  Lists are paged and bounded; a ticket the
caller may not see is a 404; every error answers ``{"code", "message", "fields"}`` with the codes of
:class:`yiwang.tickets.errors.TicketErrorCode` (docs/tickets.md lists them per operation)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.core.paging import PageIn, ShortPageIn
from yiwang.tickets import reads, services
from yiwang.tickets.actions import allowed_actions, is_agent, is_applicant, is_staff, may_see, may_use_console
from yiwang.tickets.errors import TicketErrorCode
from yiwang.tickets.models import Ticket
from yiwang.tickets.schemas import (
    TicketCallerOut,
    TicketCallIn,
    TicketCloseIn,
    TicketDetailOut,
    TicketDispatchIn,
    TicketExtendIn,
    TicketExtensionDecisionIn,
    TicketFilter,
    TicketIn,
    TicketMergeIn,
    TicketPageOut,
    TicketReasonIn,
    TicketReplyIn,
    TicketRevisitIn,
    TicketRowOut,
    TicketSuggestIn,
    TicketSuggestionOut,
    TicketTransferIn,
)
from yiwang.web.ui import current_user

router = Router(tags=["tickets"])


def row_out(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.public_id,
        "number": t.number,
        "category": t.category,
        "category_label": str(t.get_category_display()),
        "channel": t.channel,
        "status": t.status,
        "status_label": str(t.get_status_display()),
        "title": t.title,
        "department": t.department.name if t.department else "",
        "created_at": t.created_at,
        "accept_due": t.accept_due,
        "reply_due": t.reply_due,
        "overdue": reads.is_overdue(t),
    }


def detail_out(user: User, t: Ticket) -> dict[str, Any]:
    name, phone = reads.shown_contact(user, t)
    events = t.events.select_related("department").order_by("occurred_at", "pk")
    return {
        **row_out(t),
        "content": t.content,
        "region_code": t.region_code,
        "contact_name": name,
        "contact_phone": phone,
        "keywords": t.keywords,
        "tags": t.tags,
        "conversation": t.conversation if not is_applicant(user) or t.applicant_id == user.pk else [],
        "reply": t.reply,
        "replied_at": t.replied_at,
        "revisit_result": t.revisit_result,
        "reopened_count": t.reopened_count,
        "merged_into": t.merged_into.number if t.merged_into_id and t.merged_into else "",
        "closed_at": t.closed_at,
        "events": [
            {
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "department": e.department.name if e.department else "",
                "note": e.note,
                "occurred_at": e.occurred_at,
            }
            for e in events
        ],
        "extensions": [
            {
                "days": x.days,
                "reason": x.reason,
                "status": x.status,
                "comment": x.comment,
                "requested_at": x.created_at,
            }
            for x in t.extensions.all()
        ],
        "allowed_actions": sorted(allowed_actions(user, t)),
    }


def get_ticket(user: User, ticket_id: UUID) -> Ticket:
    t = Ticket.objects.select_related("department", "merged_into").filter(public_id=ticket_id).first()
    if t is None or not may_see(user, t):
        raise NotFound("工单不存在", code=TicketErrorCode.NOT_FOUND)
    return t


def organisation(public_id: UUID | None, field: str = "department") -> Organisation | None:
    if public_id is None:
        return None
    org = Organisation.objects.filter(public_id=public_id, is_active=True).first()
    if org is None:
        raise DomainError(TicketErrorCode.INVALID_INPUT, "承办部门不存在", {field: [str(public_id)]})
    return org


def _detail(user: User, ticket_id: UUID) -> dict[str, Any]:
    return detail_out(user, get_ticket(user, ticket_id))


def _after(user: User, ticket: Ticket) -> dict[str, Any]:
    """The ticket after a step that may have taken it out of the actor's sight (transfer, return)."""
    t = Ticket.objects.select_related("department", "merged_into").get(pk=ticket.pk)
    return detail_out(user, t)


def _staff(user: User) -> None:
    if not is_staff(user):
        raise PermissionDenied("仅工作人员可用", code=TicketErrorCode.FORBIDDEN)


def _console(user: User) -> None:
    if not may_use_console(user):
        raise PermissionDenied("仅 12345 热线坐席与监察人员可用", code=TicketErrorCode.FORBIDDEN)


@router.post("", response={201: TicketDetailOut}, summary="File a ticket (提交诉求; applicant)")
def file_ticket(request: HttpRequest, body: TicketIn) -> Status:
    user = current_user(request)
    if not is_applicant(user):
        raise PermissionDenied("请使用个人或法人账号提交诉求", code=TicketErrorCode.FORBIDDEN)
    ticket = services.create_ticket(
        actor=user,
        category=body.category,
        title=body.title,
        content=body.content,
        channel=body.channel,
        region_code=body.region_code,
        contact_name=body.contact_name,
        contact_phone=body.contact_phone,
        case_public_id=body.case_id,
    )
    return Status(201, _detail(user, ticket.public_id))


@router.get("/mine", response=TicketPageOut, summary="My tickets (我的诉求)")
def my_tickets(request: HttpRequest, paging: Query[ShortPageIn]) -> dict[str, Any]:
    rows = reads.my_tickets(current_user(request))
    return {"count": rows.count(), "results": [row_out(t) for t in paging.window(rows)]}


@router.get("", response=TicketPageOut, summary="Tickets I may handle or supervise (staff)")
def list_tickets(request: HttpRequest, filters: Query[TicketFilter], paging: Query[PageIn]) -> dict[str, Any]:
    user = current_user(request)
    _staff(user)
    rows = reads.filtered_tickets(
        reads.visible_tickets(user),
        status=filters.status,
        category=filters.category,
        channel=filters.channel,
        overdue=filters.overdue,
        department=filters.department,
    )
    return {"count": rows.count(), "results": [row_out(t) for t in paging.window(rows)]}


@router.post("/suggestions", response=TicketSuggestionOut, summary="Classify a text (分类建议; staff)")
def suggestions(request: HttpRequest, body: TicketSuggestIn) -> dict[str, Any]:
    user = current_user(request)
    _staff(user)
    found = reads.suggest(user, body.text, category=body.category, region_code=body.region_code)
    return {
        "keywords": found.keywords,
        "category": found.category,
        "tags": found.tags,
        "department_id": found.department.public_id if found.department else None,
        "department": found.department.name if found.department else "",
        "similar": [
            {
                "id": t.public_id,
                "number": t.number,
                "title": t.title,
                "status_label": str(t.get_status_display()),
            }
            for t in found.similar
        ],
    }


@router.post(
    "/hotline/calls", response={201: TicketDetailOut}, summary="Record a hotline call (来电登记; agent)"
)
def record_call(request: HttpRequest, body: TicketCallIn) -> Status:
    user = current_user(request)
    if not is_agent(user):
        raise PermissionDenied("仅 12345 热线坐席可登记来电", code=TicketErrorCode.FORBIDDEN)
    department = organisation(body.department)
    ticket = services.create_ticket(
        actor=user,
        category=body.category,
        title=body.title,
        content=body.content,
        channel="hotline",
        region_code=body.region_code,
        contact_name=body.caller_name,
        contact_phone=body.caller_phone,
        department=department,
        dispatch=body.dispatch and not body.answer.strip(),
    )
    if body.answer.strip():
        services.answer(ticket, actor=user, text=body.answer)
    return Status(201, _detail(user, ticket.public_id))


@router.get(
    "/hotline/callers", response=TicketCallerOut, summary="A caller's earlier tickets and cases (agent)"
)
def caller(request: HttpRequest, phone: str = "") -> dict[str, Any]:
    user = current_user(request)
    _console(user)
    history = reads.caller_history(phone[:20])
    return {
        "tickets": [row_out(t) for t in history.tickets],
        "cases": [
            {
                "id": c.public_id,
                "number": c.number,
                "item": c.item.name,
                "status": str(c.get_status_display()),
                "submitted_at": c.submitted_at,
            }
            for c in history.cases
        ],
    }


@router.get("/{uuid:ticket_id}", response=TicketDetailOut, summary="One ticket")
def read_ticket(request: HttpRequest, ticket_id: UUID) -> dict[str, Any]:
    return _detail(current_user(request), ticket_id)


@router.post("/{uuid:ticket_id}/dispatch", response=TicketDetailOut, summary="派单 (agent)")
def dispatch(request: HttpRequest, ticket_id: UUID, body: TicketDispatchIn) -> dict[str, Any]:
    user = current_user(request)
    t = get_ticket(user, ticket_id)
    services.dispatch(t, actor=user, department=organisation(body.department), note=body.note)
    return _detail(user, ticket_id)


@router.post("/{uuid:ticket_id}/accept", response=TicketDetailOut, summary="签收 (department)")
def accept(request: HttpRequest, ticket_id: UUID) -> dict[str, Any]:
    user = current_user(request)
    services.accept(get_ticket(user, ticket_id), actor=user)
    return _detail(user, ticket_id)


@router.post("/{uuid:ticket_id}/transfer", response=TicketDetailOut, summary="转办 (department)")
def transfer(request: HttpRequest, ticket_id: UUID, body: TicketTransferIn) -> dict[str, Any]:
    user = current_user(request)
    t = get_ticket(user, ticket_id)
    target = organisation(body.department)
    assert target is not None
    return _after(user, services.transfer(t, actor=user, department=target, reason=body.reason))


@router.post("/{uuid:ticket_id}/return", response=TicketDetailOut, summary="退回 (department)")
def return_ticket(request: HttpRequest, ticket_id: UUID, body: TicketReasonIn) -> dict[str, Any]:
    user = current_user(request)
    return _after(user, services.return_ticket(get_ticket(user, ticket_id), actor=user, reason=body.reason))


@router.post("/{uuid:ticket_id}/extend", response=TicketDetailOut, summary="延期申请 (department)")
def extend(request: HttpRequest, ticket_id: UUID, body: TicketExtendIn) -> dict[str, Any]:
    user = current_user(request)
    services.request_extension(get_ticket(user, ticket_id), actor=user, days=body.days, reason=body.reason)
    return _detail(user, ticket_id)


@router.post(
    "/{uuid:ticket_id}/decide-extension", response=TicketDetailOut, summary="延期审批 (agent, supervisor)"
)
def decide_extension(
    request: HttpRequest, ticket_id: UUID, body: TicketExtensionDecisionIn
) -> dict[str, Any]:
    user = current_user(request)
    services.decide_extension(
        get_ticket(user, ticket_id), actor=user, approve=body.approve, comment=body.comment
    )
    return _detail(user, ticket_id)


@router.post("/{uuid:ticket_id}/reply", response=TicketDetailOut, summary="答复 (department)")
def reply(request: HttpRequest, ticket_id: UUID, body: TicketReplyIn) -> dict[str, Any]:
    user = current_user(request)
    services.reply(get_ticket(user, ticket_id), actor=user, text=body.text)
    return _detail(user, ticket_id)


@router.post("/{uuid:ticket_id}/answer", response=TicketDetailOut, summary="直接办结 (agent)")
def answer(request: HttpRequest, ticket_id: UUID, body: TicketReplyIn) -> dict[str, Any]:
    user = current_user(request)
    services.answer(get_ticket(user, ticket_id), actor=user, text=body.text)
    return _detail(user, ticket_id)


@router.post(
    "/{uuid:ticket_id}/revisit", response=TicketDetailOut, summary="回访 (agent) or rating (applicant)"
)
def revisit(request: HttpRequest, ticket_id: UUID, body: TicketRevisitIn) -> dict[str, Any]:
    user = current_user(request)
    services.revisit(get_ticket(user, ticket_id), actor=user, result=body.result, note=body.note)
    return _detail(user, ticket_id)


@router.post("/{uuid:ticket_id}/merge", response=TicketDetailOut, summary="合并到主工单 (agent)")
def merge(request: HttpRequest, ticket_id: UUID, body: TicketMergeIn) -> dict[str, Any]:
    user = current_user(request)
    t = get_ticket(user, ticket_id)
    main = Ticket.objects.filter(public_id=body.into).first()
    if main is None:
        raise DomainError(
            TicketErrorCode.MERGE_INVALID, "主工单不存在", {"into": [str(body.into)]}, status=409
        )
    services.merge(t, actor=user, into=main)
    return _detail(user, ticket_id)


@router.post("/{uuid:ticket_id}/close", response=TicketDetailOut, summary="办结 (agent)")
def close(request: HttpRequest, ticket_id: UUID, body: TicketCloseIn) -> dict[str, Any]:
    user = current_user(request)
    services.close(get_ticket(user, ticket_id), actor=user, note=body.note)
    return _detail(user, ticket_id)


__all__ = ["TicketRowOut", "router"]
