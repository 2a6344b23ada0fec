"""Pages of tickets: the applicant's /my/tickets/ (file, list, detail, rate) and the department
queue /workbench/tickets/ (list with filters, detail with the actions via htmx).  The pages parse
with the API's schemas, call the same services and show what ``allowed_actions`` offers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.core.paging import paginate
from yiwang.ratings.models import RatingInvitation
from yiwang.tickets import reads, services
from yiwang.tickets.actions import allowed_actions, is_agent, may_see, owns
from yiwang.tickets.errors import TicketErrorCode
from yiwang.tickets.models import (
    RevisitResult,
    Ticket,
    TicketCategory,
    TicketExtension,
    TicketStatus,
)
from yiwang.tickets.schemas import (
    TicketExtendIn,
    TicketExtensionDecisionIn,
    TicketIn,
    TicketReasonIn,
    TicketReplyIn,
    TicketRevisitIn,
)
from yiwang.web.forms import parse_form
from yiwang.web.ui import applicant_required, current_user, domain_errors, error_context, staff_required

PER_PAGE = 30


def _ticket(user: User, ticket_id: UUID) -> Ticket:
    t = Ticket.objects.select_related("department", "merged_into").filter(public_id=ticket_id).first()
    if t is None or not may_see(user, t):
        raise Http404(_("工单不存在"))
    return t


def chosen_department(raw: str) -> Organisation | None:
    try:
        public_id = UUID(raw) if raw else None
    except ValueError:
        public_id = None
    if public_id is None:
        return None
    org = Organisation.objects.filter(public_id=public_id, is_active=True).first()
    if org is None:
        raise DomainError(TicketErrorCode.INVALID_INPUT, _("承办部门不存在"), {"department": [raw]})
    return org


def departments() -> list[Organisation]:
    return list(Organisation.objects.filter(is_active=True).order_by("name").only("public_id", "name")[:300])


# --- the applicant: /my/tickets/ ------------------------------------------------------------------
def _my_context(request: HttpRequest, user: User, **extra: Any) -> dict[str, Any]:
    page = paginate(request.GET, reads.my_tickets(user), PER_PAGE)
    return {"page": page, "categories": TicketCategory.choices, "values": {}, **extra}


@applicant_required
@domain_errors
def my_tickets(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method != "POST":
        return render(request, "tickets/my_tickets.html", _my_context(request, user))
    try:
        body = parse_form(TicketIn, request.POST)
        ticket = services.create_ticket(
            actor=user,
            category=body.category,  # type: ignore[attr-defined]
            title=body.title,  # type: ignore[attr-defined]
            content=body.content,  # type: ignore[attr-defined]
            channel="web",
            region_code=body.region_code,  # type: ignore[attr-defined]
            contact_name=body.contact_name,  # type: ignore[attr-defined]
            contact_phone=body.contact_phone,  # type: ignore[attr-defined]
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        context = _my_context(request, user, values=request.POST, **error_context(exc))
        return render(request, "tickets/my_tickets.html", context, status=exc.status)
    flash.success(request, _("诉求已提交，工单编号 %(number)s") % {"number": ticket.number})
    return redirect("tickets_applicant:detail", ticket_id=ticket.public_id)


@applicant_required
def my_ticket(request: HttpRequest, ticket_id: UUID) -> HttpResponse:
    user = current_user(request)
    t = _ticket(user, ticket_id)
    if not owns(user, t):
        raise Http404(_("工单不存在"))
    invitation = RatingInvitation.objects.filter(subject_kind="ticket", subject_id=t.public_id).first()
    return render(
        request,
        "tickets/my_ticket.html",
        {
            "t": t,
            "actions": allowed_actions(user, t),
            "results": [c for c in RevisitResult.choices if c[0]],
            "invitation": invitation,
            "events": t.events.order_by("occurred_at", "pk"),
        },
    )


@require_POST
@applicant_required
@domain_errors
def my_rate(request: HttpRequest, ticket_id: UUID) -> HttpResponse:
    user = current_user(request)
    t = _ticket(user, ticket_id)
    try:
        body = parse_form(TicketRevisitIn, request.POST)
        services.revisit(t, actor=user, result=body.result, note=body.note)  # type: ignore[attr-defined]
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        flash.error(request, exc.message)
    else:
        flash.success(request, _("感谢您的评价"))
    return redirect("tickets_applicant:detail", ticket_id=t.public_id)


# --- staff: /workbench/tickets/ --------------------------------------------------------------------
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    status = request.GET.get("status", "open")
    status = status if status in [*TicketStatus.values, "open"] else ""
    category = request.GET.get("category", "")
    category = category if category in TicketCategory.values else ""
    overdue = request.GET.get("overdue", "") in ("1", "on", "true")
    rows = reads.filtered_tickets(
        reads.visible_tickets(user), status=status, category=category, overdue=overdue
    )
    page = paginate(request.GET, rows, PER_PAGE)
    context = {
        "page": page,
        "status": status,
        "category": category,
        "overdue": overdue,
        "statuses": TicketStatus.choices,
        "categories": TicketCategory.choices,
        "today": timezone.localdate(),
    }
    template = "tickets/_rows.html" if request.headers.get("HX-Request") else "tickets/queue.html"
    return render(request, template, context)


def detail_context(user: User, t: Ticket) -> dict[str, Any]:
    name, phone = reads.shown_contact(user, t)
    return {
        "t": t,
        "actions": allowed_actions(user, t),
        "contact_name": name,
        "contact_phone": phone,
        "events": t.events.select_related("department", "actor").order_by("occurred_at", "pk"),
        "extensions": list(TicketExtension.objects.filter(ticket=t).order_by("-created_at")),
        "departments": departments(),
        "results": [c for c in RevisitResult.choices if c[0]],
        "overdue": reads.is_overdue(t),
        "similar": reads.similar_tickets(t.keywords, region_code=t.region_code, exclude_id=t.pk)
        if is_agent(user)
        else [],
    }


@staff_required
def detail(request: HttpRequest, ticket_id: UUID) -> HttpResponse:
    user = current_user(request)
    return render(request, "tickets/detail.html", detail_context(user, _ticket(user, ticket_id)))


ACTIONS = {
    "dispatch",
    "accept",
    "transfer",
    "return",
    "extend",
    "decide_extension",
    "reply",
    "answer",
    "revisit",
    "merge",
    "close",
}


def act(user: User, t: Ticket, action: str, data: Any) -> None:
    """Run ``action`` with the form ``data`` (the same services and schemas as the API)."""
    if action == "dispatch":
        services.dispatch(t, actor=user, department=chosen_department(data.get("department", "")))
    elif action == "accept":
        services.accept(t, actor=user)
    elif action == "transfer":
        target = chosen_department(data.get("department", ""))
        if target is None:
            raise DomainError(TicketErrorCode.INVALID_INPUT, _("请选择承办部门"), {"department": [_("必选")]})
        services.transfer(t, actor=user, department=target, reason=data.get("reason", "")[:1000])
    elif action == "return":
        body: Any = parse_form(TicketReasonIn, data)
        services.return_ticket(t, actor=user, reason=body.reason)
    elif action == "extend":
        body = parse_form(TicketExtendIn, data)
        services.request_extension(t, actor=user, days=body.days, reason=body.reason)
    elif action == "decide_extension":
        body = parse_form(TicketExtensionDecisionIn, data, blank_is_missing=False)
        services.decide_extension(t, actor=user, approve=body.approve, comment=body.comment)
    elif action in ("reply", "answer"):
        body = parse_form(TicketReplyIn, data)
        (services.reply if action == "reply" else services.answer)(t, actor=user, text=body.text)
    elif action == "revisit":
        body = parse_form(TicketRevisitIn, data)
        services.revisit(t, actor=user, result=body.result, note=body.note)
    elif action == "merge":
        main = Ticket.objects.filter(number=(data.get("into", "") or "").strip()[:32]).first()
        if main is None:
            raise DomainError(
                TicketErrorCode.MERGE_INVALID, _("主工单不存在"), {"into": [_("工单编号")]}, status=409
            )
        services.merge(t, actor=user, into=main)
    else:
        services.close(t, actor=user, note=data.get("note", "")[:1000])


@require_POST
@staff_required
@domain_errors
def action(request: HttpRequest, ticket_id: UUID, action: str) -> HttpResponse:
    user = current_user(request)
    if action not in ACTIONS:
        raise Http404(_("未知操作"))
    t = _ticket(user, ticket_id)
    back = request.POST.get("back", "")
    back = back if back.startswith("/workbench/") else ""
    try:
        act(user, t, action, request.POST)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        flash.error(request, exc.message)
        return redirect(back or f"/workbench/tickets/{t.public_id}/")
    flash.success(request, _("已处理"))
    if back:
        return redirect(back)
    fresh = Ticket.objects.filter(pk=t.pk).first()
    if fresh is None or not may_see(user, fresh):
        return redirect("tickets:queue")
    return redirect("tickets:detail", ticket_id=t.public_id)
