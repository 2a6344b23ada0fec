"""窗口工作台 The window console (/workbench/hall/): sign in to a window, call, recall, skip, start,
finish, transfer, the waiting list (htmx polling); the hall manager's statistics page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.cases.models import Case
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.hall import reads_queue
from yiwang.hall.access import halls_for_staff, is_hall_staff, may_read_hall_statistics
from yiwang.hall.models import BusinessCategory, Hall, QueueTicket, Window
from yiwang.hall.services import console as console_services
from yiwang.hall.services import queue, windows
from yiwang.web.ui import current_user, domain_errors, staff_required

WINDOW_ACTIONS = {"open", "pause", "close", "call"}
TICKET_ACTIONS = {"recall", "skip", "requeue", "start", "finish", "transfer"}


def _context(request: HttpRequest) -> dict[str, Any]:
    user = current_user(request)
    halls = halls_for_staff(user)
    if not halls:
        raise PermissionDenied(_("只有大厅窗口人员可以使用窗口工作台"))
    window = console_services.current_window(user)
    hall = window.hall if window is not None else halls[0]
    ticket = console_services.current_ticket(window) if window is not None else None
    waiting = list(queue.waiting_for(window).select_related("category")[:30]) if window is not None else []
    appointment = ticket.appointment if ticket is not None else None
    person = console_services.shown_ticket_person(user, ticket) if ticket is not None else None
    visit_cases = (
        list(Case.objects.filter(public_id__in=ticket.case_public_ids).select_related("item").order_by("pk"))
        if ticket is not None and ticket.case_public_ids
        else []
    )
    return {
        "hall": hall,
        "window": window,
        "windows": list(Window.objects.filter(hall=hall).select_related("clerk").order_by("number")),
        "categories": list(BusinessCategory.objects.filter(hall=hall).order_by("sort_order", "prefix")),
        "ticket": ticket,
        "appointment": appointment,
        "person": person,
        "visit_cases": [{"case": c, "mine": c.registered_by_id == user.pk} for c in visit_cases],
        "waiting": waiting,
        "waiting_count": queue.waiting_for(window).count() if window is not None else 0,
    }


@staff_required
@domain_errors
def console(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if request.headers.get("HX-Request"):
        return render(request, "hall/console/_panel.html", context)
    return render(request, "hall/console/console.html", context)


@staff_required
@domain_errors
def window_action(request: HttpRequest, window_id: UUID, action: str) -> HttpResponseBase:
    user = current_user(request)
    if not halls_for_staff(user):
        raise PermissionDenied(_("只有大厅窗口人员可以操作窗口"))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    window = get_object_or_404(Window.objects.select_related("hall"), public_id=window_id)
    if action not in WINDOW_ACTIONS or not is_hall_staff(user, window.hall):
        raise PermissionDenied(_("只有本大厅的窗口人员可以操作窗口"))
    try:
        if action == "open":
            windows.open_window(window=window, clerk=user)
        elif action == "pause":
            windows.pause_window(window=window, clerk=user)
        elif action == "close":
            windows.close_window(window=window, clerk=user)
        else:
            ticket = queue.call_next(window=window, clerk=user)
            messages.success(request, _("已叫号 %(number)s") % {"number": ticket.number})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("hall:console")


@staff_required
@domain_errors
def ticket_action(request: HttpRequest, ticket_id: UUID, action: str) -> HttpResponseBase:
    user = current_user(request)
    if not halls_for_staff(user):
        raise PermissionDenied(_("只有大厅窗口人员可以操作号码"))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    ticket = get_object_or_404(QueueTicket.objects.select_related("hall"), public_id=ticket_id)
    if action not in TICKET_ACTIONS or not is_hall_staff(user, ticket.hall):
        raise PermissionDenied(_("只有本大厅的窗口人员可以操作号码"))
    try:
        if action == "recall":
            queue.recall(ticket=ticket, clerk=user)
        elif action == "skip":
            queue.skip(ticket=ticket, clerk=user)
        elif action == "requeue":
            queue.requeue(ticket=ticket, clerk=user)
        elif action == "start":
            queue.start_service(ticket=ticket, clerk=user)
        elif action == "finish":
            queue.finish(ticket=ticket, clerk=user)
        else:
            category = BusinessCategory.objects.filter(
                hall=ticket.hall, prefix=request.POST.get("category", "")
            ).first()
            target = Window.objects.filter(hall=ticket.hall, number=request.POST.get("window", "")).first()
            queue.transfer(ticket=ticket, clerk=user, category=category, window=target)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("hall:console")


@staff_required
@domain_errors
def stats(request: HttpRequest) -> HttpResponse:
    """大厅统计 Average wait and service time per category, window and day; counts; green share."""
    user = current_user(request)
    halls = [
        h for h in Hall.objects.filter(is_active=True).order_by("name") if may_read_hall_statistics(user, h)
    ]
    if not halls:
        raise PermissionDenied(_("只有大厅管理人员和监督人员可以查看统计"))
    hall = next((h for h in halls if h.code == request.GET.get("hall")), halls[0])
    try:
        days = max(1, min(366, int(request.GET.get("days", "30"))))
    except ValueError:
        days = 30
    end = timezone.localdate()
    data = reads_queue.statistics(hall, end - timedelta(days=days - 1), end)
    chart = [{"label": row["label"], "wait": row["average_wait_minutes"]} for row in data["categories"]]
    return render(
        request,
        "hall/console/stats.html",
        {"hall": hall, "halls": halls, "data": data, "days": days, "chart": chart},
    )
