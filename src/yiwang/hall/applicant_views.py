"""My appointments (/my/appointments/): book from the item guide (slot picker by day, htmx), list,
detail with the check-in QR code, cancel, reschedule, no-show blocks and their appeal."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import segno
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.inputs import parse_day
from yiwang.hall import reads_appointments as reads
from yiwang.hall.models import Appointment, AppointmentSlot, BookingBlock, Hall
from yiwang.hall.services import appointments as service
from yiwang.hall.services import blocks as block_service
from yiwang.web.ui import applicant_required, current_user, domain_errors

PICKER_DAYS = 14


def _appointment(user: User, appointment_id: UUID) -> Appointment:
    a = Appointment.objects.select_related("slot", "hall", "item").filter(public_id=appointment_id).first()
    if a is None or not service.may_see(user, a):
        raise Http404(_("预约不存在"))
    return a


def item_from_query(raw: str) -> ServiceItem:
    try:
        item_id = UUID(str(raw))
    except ValueError as exc:
        raise Http404(_("事项不存在")) from exc
    item = ServiceItem.objects.filter(
        public_id=item_id, status=ItemStatus.PUBLISHED, appointment_supported=True
    ).first()
    if item is None:
        raise Http404(_("事项不存在"))
    return item


def slot_from_form(raw: str) -> AppointmentSlot:
    try:
        public_id = UUID(str(raw))
    except (TypeError, ValueError) as exc:
        raise Http404(_("时段不存在")) from exc
    slot = AppointmentSlot.objects.select_related("hall").filter(public_id=public_id).first()
    if slot is None:
        raise Http404(_("时段不存在"))
    return slot


def picker_context(item: ServiceItem, hall_raw: str, day_raw: str, kind: str = "visit") -> dict[str, Any]:
    halls = reads.halls_for_item(item)
    hall: Hall | None = next((h for h in halls if str(h.public_id) == hall_raw), halls[0] if halls else None)
    today = timezone.localdate()
    free = reads.free_slots(hall=hall, item=item, start=today, days=PICKER_DAYS, kind=kind) if hall else []
    by_day = reads.slots_by_day(free)
    day: date | None = parse_day(day_raw)
    if day not in by_day:
        day = next(iter(by_day), None)
    return {
        "item": item,
        "halls": halls,
        "hall": hall,
        "days": list(by_day),
        "day": day,
        "day_slots": by_day.get(day, []) if day else [],
        "kind": kind,
    }


def book(request: HttpRequest) -> HttpResponse:
    """GET: the slot picker (a partial for htmx, the page otherwise); POST: book the chosen slot.
    The item guide loads the picker with htmx: a visitor not logged in (or staff) gets the way to
    log in instead (the guide itself is the same for everyone)."""
    user = request.user
    if (
        request.method == "GET"
        and request.headers.get("HX-Request")
        and (not user.is_authenticated or getattr(user, "kind", "") == "staff")
    ):
        item = item_from_query(request.GET.get("item", ""))
        return render(request, "hall/my/_book_entry.html", {"item_id": item.public_id})
    return _book(request)


@applicant_required
def _book(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        return _book_post(request, user)
    item = item_from_query(request.GET.get("item", ""))
    kind = "door" if request.GET.get("kind") == "door" else "visit"
    context = picker_context(item, request.GET.get("hall", ""), request.GET.get("day", ""), kind)
    template = "hall/my/_picker.html" if request.headers.get("HX-Request") else "hall/my/book.html"
    return render(request, template, context)


@domain_errors
def _book_post(request: HttpRequest, user: User) -> HttpResponse:
    item = item_from_query(request.POST.get("item", ""))
    slot = slot_from_form(request.POST.get("slot", ""))
    a = service.book_as(
        user=user,
        slot=slot,
        item=item,
        phone=request.POST.get("phone", "")[:20],
        kind="door" if request.POST.get("kind") == "door" else "visit",
        address=request.POST.get("address", "")[:200],
        note=request.POST.get("note", "")[:200],
        channel="web",
    )
    return redirect("my_appointments:detail", appointment_id=a.public_id)


@applicant_required
def my_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    rows = list(reads.my_appointments(user)[:50])
    blocks = list(reads.my_blocks(user)[:20])
    return render(
        request,
        "hall/my/list.html",
        {
            "rows": rows,
            "blocks": [(b, block_service.block_actions(b, user)) for b in blocks],
        },
    )


@applicant_required
def detail(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    user = current_user(request)
    a = _appointment(user, appointment_id)
    actions = service.allowed_actions(a, user)
    qr = ""
    if a.applicant_id == user.pk and a.status == "booked":
        qr = segno.make(a.checkin_token, error="m").svg_inline(scale=5, title=_("签到二维码"))
    context: dict[str, Any] = {"a": a, "actions": actions, "qr": mark_safe(qr)}
    if "reschedule" in actions:
        context["picker"] = picker_context(a.item, str(a.hall.public_id), request.GET.get("day", ""), a.kind)
    return render(request, "hall/my/detail.html", context)


@require_POST
@applicant_required
@domain_errors
def cancel(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    user = current_user(request)
    service.cancel(
        appointment=_appointment(user, appointment_id), actor=user, reason=request.POST.get("reason", "")
    )
    return redirect("my_appointments:detail", appointment_id=appointment_id)


@require_POST
@applicant_required
@domain_errors
def reschedule(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    user = current_user(request)
    a = _appointment(user, appointment_id)
    service.reschedule(appointment=a, slot=slot_from_form(request.POST.get("slot", "")), actor=user)
    return redirect("my_appointments:detail", appointment_id=appointment_id)


@require_POST
@applicant_required
@domain_errors
def appeal(request: HttpRequest, block_id: UUID) -> HttpResponse:
    user = current_user(request)
    block = BookingBlock.objects.filter(public_id=block_id).first()
    if block is None or not block_service.block_actions(block, user):
        raise Http404(_("限制记录不存在"))
    block_service.appeal_block(block=block, actor=user, reason=request.POST.get("reason", ""))
    return redirect("my_appointments:list")
