"""Appointments in the workbench (/workbench/hall/appointments/) for hall staff, the hall's
manager and hotline agents: today's and upcoming bookings, booking for a caller, door-to-door
requests (address shown on request, the read logged), cancel, no-show blocks and appeals."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import PermissionDenied
from yiwang.hall import reads_appointments as reads
from yiwang.hall.access import is_hall_manager
from yiwang.hall.applicant_views import item_from_query, picker_context, slot_from_form
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import Appointment, BookingBlock, Hall
from yiwang.hall.services import appointments as service
from yiwang.hall.services import blocks as block_service
from yiwang.web.ui import current_user, domain_errors, staff_required


def _halls(user: User) -> list[Hall]:
    halls = [h for h in reads.active_halls() if service.may_serve_hall(user, h)]
    if not halls:
        raise PermissionDenied(_("仅大厅工作人员、管理人员与 12345 坐席可用"), code=HallErrorCode.FORBIDDEN)
    return halls


def _hall(request: HttpRequest, user: User) -> Hall:
    halls = _halls(user)
    wanted = request.GET.get("hall") or request.POST.get("hall") or ""
    return next((h for h in halls if str(h.public_id) == wanted), halls[0])


@staff_required
@domain_errors
def index(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    hall = _hall(request, user)
    today = timezone.localdate()
    rows = list(reads.upcoming(hall, today)[:100])
    manager = is_hall_manager(user, hall)
    context: dict[str, Any] = {
        "hall": hall,
        "halls": _halls(user),
        "today": today,
        "rows": [(a, reads.shown_person(user, a)) for a in rows],
        "door": [(a, reads.shown_person(user, a)) for a in rows if a.kind == "door"],
        "blocks": list(reads.hall_blocks(hall).filter(status="appealed")[:50]) if manager else [],
        "manager": manager,
    }
    item_raw = request.GET.get("item", "")
    if item_raw:
        context["picker"] = picker_context(
            item_from_query(item_raw), str(hall.public_id), request.GET.get("day", "")
        )
    context["items"] = sorted(
        {
            i.pk: i
            for c in hall.categories.filter(is_active=True).prefetch_related("items")
            for i in c.items.all()
            if i.appointment_supported
        }.values(),
        key=lambda i: i.name,
    )
    return render(request, "hall/appointments/index.html", context)


@require_POST
@staff_required
@domain_errors
def book(request: HttpRequest) -> HttpResponse:
    """为来电群众或窗口群众代为预约."""
    user = current_user(request)
    a = service.book_as(
        user=user,
        slot=slot_from_form(request.POST.get("slot", "")),
        item=item_from_query(request.POST.get("item", "")),
        name=request.POST.get("name", "")[:100],
        id_number=request.POST.get("id_number", "")[:18],
        phone=request.POST.get("phone", "")[:20],
        note=request.POST.get("note", "")[:200],
    )
    return redirect("hall_appointments:detail", appointment_id=a.public_id)


def _appointment(user: User, appointment_id: UUID) -> Appointment:
    a = Appointment.objects.select_related("slot", "hall", "item").filter(public_id=appointment_id).first()
    if a is None or "read_personal" not in service.allowed_actions(a, user):
        raise Http404(_("预约不存在"))
    return a


@staff_required
@domain_errors
def detail(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    user = current_user(request)
    a = _appointment(user, appointment_id)
    unmask = request.GET.get("show") == "1"
    return render(
        request,
        "hall/appointments/detail.html",
        {
            "a": a,
            "person": reads.shown_person(user, a, unmask=unmask),
            "actions": service.allowed_actions(a, user),
        },
    )


@require_POST
@staff_required
@domain_errors
def cancel(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    user = current_user(request)
    service.cancel(
        appointment=_appointment(user, appointment_id), actor=user, reason=request.POST.get("reason", "")
    )
    return redirect("hall_appointments:detail", appointment_id=appointment_id)


@require_POST
@staff_required
@domain_errors
def decide(request: HttpRequest, block_id: UUID) -> HttpResponse:
    user = current_user(request)
    block = BookingBlock.objects.select_related("hall").filter(public_id=block_id).first()
    if block is None or not block_service.block_actions(block, user):
        raise Http404(_("限制记录不存在"))
    block_service.decide_appeal(
        block=block, actor=user, lift=request.POST.get("lift") == "1", note=request.POST.get("note", "")
    )
    return redirect("hall_appointments:index")
