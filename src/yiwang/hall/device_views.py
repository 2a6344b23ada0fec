"""Device pages of the hall (public, no login): the queue screen (叫号屏, 1920×1080) and its board
fragment, the announcements feed of the speech system, the ticket machine (取号机) and the rating
device of a window (评价器, authorised by the window's device key)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from yiwang.core.errors import DomainError
from yiwang.hall import reads_queue
from yiwang.hall.models import (
    BusinessCategory,
    GreenReason,
    Hall,
    QueueStatus,
    QueueTicket,
    TicketSource,
    Window,
)
from yiwang.hall.services import queue
from yiwang.hall.services.windows import device_key_valid
from yiwang.ratings.models import InvitationStatus, RatingChannel, RatingInvitation
from yiwang.ratings.services.rating import rate


def _board_or_404(hall_code: str) -> dict[str, Any]:
    data = reads_queue.board(hall_code)
    if data is None:
        raise Http404
    return data


def queue_screen(request: HttpRequest, hall_code: str) -> HttpResponse:
    """叫号屏"""
    return render(request, "hall/devices/queue_screen.html", {"board": _board_or_404(hall_code)})


def queue_board(request: HttpRequest, hall_code: str) -> HttpResponse:
    """The screen's fragment, polled by htmx every few seconds."""
    return render(request, "hall/devices/_board.html", {"board": _board_or_404(hall_code)})


def announcements(request: HttpRequest, hall_code: str) -> JsonResponse:
    """``?after=<event id>``: the call announcements since then, for the hall's speech system."""
    hall = get_object_or_404(Hall, code=hall_code, is_active=True)
    raw = request.GET.get("after", "0").strip() or "0"
    if not raw.isdigit() or len(raw) > 18:
        return JsonResponse(
            {"code": "hall_invalid_input", "message": "after 应为事件编号", "fields": {}}, status=400
        )
    items = reads_queue.announcements(hall, int(raw))
    for item in items:
        item["occurred_at"] = item["occurred_at"].isoformat()
    return JsonResponse(
        {"hall": hall.code, "announcements": items, "last": items[-1]["id"] if items else int(raw)}
    )


@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, hall_code: str) -> HttpResponse:
    """取号机 Choose a category (and the green channel) and print the number."""
    hall = get_object_or_404(Hall, code=hall_code, is_active=True)
    categories = list(BusinessCategory.objects.filter(hall=hall).order_by("sort_order", "prefix"))
    ticket = None
    error = None
    if request.method == "POST":
        category = next((c for c in categories if c.prefix == request.POST.get("category", "")), None)
        green = request.POST.get("green_reason", "")
        if category is None:
            error = "请选择业务类别"
        else:
            try:
                ticket = queue.take_ticket(
                    hall=hall, category=category, source=TicketSource.KIOSK, green_reason=green
                )
            except DomainError as exc:
                error = exc.message
    waiting = dict(
        QueueTicket.objects.filter(hall=hall, day=timezone.localdate(), status=QueueStatus.WAITING)
        .values("category_id")
        .annotate(n=Count("pk"))
        .values_list("category_id", "n")
    )
    rows = [{"category": c, "waiting": waiting.get(c.pk, 0)} for c in categories]
    return render(
        request,
        "hall/devices/take.html",
        {
            "hall": hall,
            "categories": categories,
            "green_reasons": [c for c in GreenReason.choices if c[0]],
            "ticket": ticket,
            "error": error,
            "rows": rows,
        },
        status=409 if error and request.method == "POST" else 200,
    )


def _device_window(request: HttpRequest, window_id: UUID) -> tuple[Window, str]:
    window = get_object_or_404(Window.objects.select_related("hall"), public_id=window_id)
    key = request.GET.get("key", "") or request.POST.get("key", "")
    if not device_key_valid(window, key):
        raise Http404
    return window, key


def _latest_unrated(window: Window) -> tuple[QueueTicket | None, RatingInvitation | None]:
    ticket = (
        QueueTicket.objects.filter(window=window, status=QueueStatus.DONE, day=timezone.localdate())
        .order_by("-finished_at", "-pk")
        .first()
    )
    if ticket is None:
        return None, None
    invitation = RatingInvitation.objects.filter(
        subject_kind="hall_visit", subject_id=ticket.public_id, status=InvitationStatus.PENDING
    ).first()
    return (ticket, invitation) if invitation is not None else (None, None)


@require_http_methods(["GET", "POST"])
def rate_device(request: HttpRequest, window_id: UUID) -> HttpResponse:
    """评价器 Five levels for the service just finished at the window."""
    window, key = _device_window(request, window_id)
    thanks = False
    error = None
    if request.method == "POST":
        ticket, invitation = _latest_unrated(window)
        level = request.POST.get("level", "")
        if invitation is None or ticket is None or request.POST.get("ticket") != str(ticket.public_id):
            error = "没有待评价的服务"
        elif level not in {"1", "2", "3", "4", "5"}:
            error = "请选择评价等级"
        else:
            try:
                rate(invitation, level=int(level), channel=RatingChannel.HALL_DEVICE)
                thanks = True
            except DomainError as exc:
                error = exc.message
    ticket, invitation = _latest_unrated(window)
    context = {"window": window, "key": key, "ticket": ticket, "thanks": thanks, "error": error}
    template = "hall/devices/_rate.html" if request.headers.get("HX-Request") else "hall/devices/rate.html"
    return render(request, template, context, status=400 if error else 200)
