"""The hotline agent console (/workbench/hotline/): record a call with live suggestions (htmx), the
caller's earlier tickets and cases by phone, the dispatch queue and the revisit queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.tickets import reads, services
from yiwang.tickets.actions import is_agent, may_use_console
from yiwang.tickets.errors import TicketErrorCode
from yiwang.tickets.models import RevisitResult, TicketCategory
from yiwang.tickets.schemas import TicketCallIn
from yiwang.tickets.views import chosen_department, departments
from yiwang.web.forms import parse_form
from yiwang.web.ui import current_user, domain_errors, error_context, staff_required

QUEUE_MAX = 50


def _console(user: User) -> None:
    if not may_use_console(user):
        raise PermissionDenied(_("仅 12345 热线坐席与监察人员可用"), code=TicketErrorCode.FORBIDDEN)


def _context(user: User, **extra: Any) -> dict[str, Any]:
    return {
        "categories": TicketCategory.choices,
        "departments": departments(),
        "dispatch_queue": list(reads.dispatch_queue(user)[:QUEUE_MAX]),
        "revisit_queue": list(reads.revisit_queue(user)[:QUEUE_MAX]),
        "results": [c for c in RevisitResult.choices if c[0]],
        "is_agent": is_agent(user),
        "values": {},
        **extra,
    }


@staff_required
@domain_errors
def console(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    _console(user)
    return render(request, "tickets/hotline.html", _context(user))


@require_POST
@staff_required
@domain_errors
def record_call(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    _console(user)
    if not is_agent(user):
        raise PermissionDenied(_("仅 12345 热线坐席可登记来电"), code=TicketErrorCode.FORBIDDEN)
    try:
        body: Any = parse_form(TicketCallIn, request.POST, blank_is_missing=["category", "title", "content"])
        department = chosen_department(request.POST.get("department", ""))
        answer = body.answer.strip()
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
            dispatch=body.dispatch and not answer,
        )
        if answer:
            services.answer(ticket, actor=user, text=answer)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        context = _context(user, values=request.POST, **error_context(exc))
        return render(request, "tickets/hotline.html", context, status=exc.status)
    flash.success(request, _("来电已登记，工单编号 %(number)s") % {"number": ticket.number})
    return redirect("tickets_hotline:console")


@staff_required
@domain_errors
def suggest(request: HttpRequest) -> HttpResponse:
    """htmx: the suggestions for the text typed so far."""
    user = current_user(request)
    _console(user)
    data = request.POST if request.method == "POST" else request.GET
    text = f"{data.get('title', '')}\n{data.get('content', '')}".strip()[:4000]
    region = "".join(ch for ch in data.get("region_code", "") if ch.isdigit())[:12]
    found = reads.suggest(user, text, category=data.get("category", ""), region_code=region) if text else None
    return render(request, "tickets/_suggestions.html", {"found": found})


@staff_required
@domain_errors
def callers(request: HttpRequest) -> HttpResponse:
    """htmx: the caller's earlier tickets and cases."""
    user = current_user(request)
    _console(user)
    phone = request.GET.get("caller_phone", "")[:20]
    return render(request, "tickets/_callers.html", {"history": reads.caller_history(phone), "phone": phone})
