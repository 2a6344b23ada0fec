"""The kiosk's functions: take a ticket, check in an appointment, my cases, print licences and
results, find an item and apply.  Every page goes through :func:`kiosk_page` (device, idle guard)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yiwang.accounts.models import User
from yiwang.cases.downloads import result_download
from yiwang.cases.services import visible_cases
from yiwang.catalog.search import search_items
from yiwang.core.errors import DomainError
from yiwang.hall.models import BusinessCategory, GreenReason, QueueStatus, QueueTicket, TicketSource
from yiwang.hall.services import checkin, queue
from yiwang.kiosk.errors import KioskErrorCode
from yiwang.kiosk.views.base import current_kiosk, kiosk_page, render_kiosk
from yiwang.licences import services as licence_services
from yiwang.licences.representation import licence_for_viewer
from yiwang.portal.reads import case_for_page, case_page_reads, my_cases_page
from yiwang.portal.views.my import progress_steps
from yiwang.web.ui import download_response

SEARCH_SIZE = 8
PRINT_LIMIT = 50
PLACEHOLDER = UUID(int=0)


def _person(request: HttpRequest) -> User:
    """The logged-in person of a ``kiosk_page(person=True)`` page."""
    user = current_kiosk(request).visitor.user
    if user is None:  # kiosk_page(person=True) sent him home already
        raise DomainError(KioskErrorCode.LOGIN_REQUIRED, "请先刷身份证或扫码登录", status=403)
    return user


# --- 取号 ---------------------------------------------------------------------------------------------
def _categories(hall_id: int) -> list[BusinessCategory]:
    today = timezone.localdate()
    return list(
        BusinessCategory.objects.filter(hall_id=hall_id, is_active=True)
        .annotate(waiting=Count("tickets", filter=Q(tickets__day=today, tickets__status=QueueStatus.WAITING)))
        .order_by("sort_order", "prefix")
    )


def _ticket_page(request: HttpRequest, ticket: QueueTicket) -> HttpResponse:
    ahead = (
        QueueTicket.objects.filter(
            hall_id=ticket.hall_id,
            day=ticket.day,
            category_id=ticket.category_id,
            status=QueueStatus.WAITING,
        )
        .filter(
            Q(priority__gt=ticket.priority)
            | Q(priority=ticket.priority, issued_at__lt=ticket.issued_at)
            | Q(priority=ticket.priority, issued_at=ticket.issued_at, pk__lt=ticket.pk)
        )
        .count()
    )
    return render_kiosk(request, "kiosk/ticket_done.html", {"ticket": ticket, "ahead": ahead})


@kiosk_page()
def ticket(request: HttpRequest) -> HttpResponse:
    """取号: the hall's business categories with the number waiting; POST takes a ticket (with the
    person's card or account when someone is logged in; 绿色通道 on request)."""
    kiosk = current_kiosk(request)
    hall = kiosk.device.hall
    if request.method == "POST":
        category = BusinessCategory.objects.filter(
            hall=hall, is_active=True, public_id=_uuid(request.POST.get("category"), "category")
        ).first()
        if category is None:
            raise DomainError(KioskErrorCode.INVALID_INPUT, "请选择业务类别", {"category": ["无效"]})
        visitor = kiosk.visitor
        issued = queue.take_ticket(
            hall=hall,
            category=category,
            source=TicketSource.KIOSK,
            applicant=visitor.user,
            id_number=visitor.card_id_number,
            green_reason=request.POST.get("green_reason", "")[:10],
            actor=visitor.user,
        )
        return _ticket_page(request, issued)
    reasons = [(value, label) for value, label in GreenReason.choices if value]
    return render_kiosk(
        request, "kiosk/ticket.html", {"categories": _categories(hall.pk), "green_reasons": reasons}
    )


def _uuid(value: Any, field: str) -> UUID:
    try:
        return UUID(str(value))
    except (ValueError, TypeError) as exc:
        raise DomainError(KioskErrorCode.INVALID_INPUT, "参数不正确", {field: ["无效"]}) from exc


# --- 预约签到 -------------------------------------------------------------------------------------------
@kiosk_page()
def checkin_page(request: HttpRequest) -> HttpResponse:
    """预约签到 by booking code (typed or scanned from the booking's QR code) or by the ID card read."""
    kiosk = current_kiosk(request)
    error = ""
    if request.method == "POST":
        code = request.POST.get("code", "").strip()[:64]
        use_card = request.POST.get("use_card") == "1"
        if not code and not (use_card and kiosk.visitor.card_id_number):
            raise DomainError(KioskErrorCode.INVALID_INPUT, "请输入预约号或刷身份证", {"code": ["必填"]})
        if code:
            appointment = checkin.find_todays_appointment(hall=kiosk.device.hall, code=code) or (
                checkin.find_todays_appointment(hall=kiosk.device.hall, token=code)
            )
        else:
            appointment = checkin.find_todays_appointment(
                hall=kiosk.device.hall, id_number=kiosk.visitor.card_id_number
            )
        if appointment is None:
            error = _("未找到您今天在本大厅的预约，请核对预约号，或直接取号。")
        else:
            issued = checkin.check_in(appointment=appointment, actor=kiosk.visitor.user, channel="kiosk")
            return _ticket_page(request, issued)
    return render_kiosk(request, "kiosk/checkin.html", {"error": error}, status=404 if error else 200)


# --- 办件查询 -------------------------------------------------------------------------------------------
@require_GET
@kiosk_page(person=True)
def cases(request: HttpRequest) -> HttpResponse:
    """我的办件 (the portal's list read), the latest twenty."""
    user = _person(request)
    _page, rows = my_cases_page(user, "", None, size=20)
    detail = reverse("kiosk:case_detail", args=[PLACEHOLDER])
    listed = [
        {"row": row, "url": detail.replace(str(PLACEHOLDER), row.url.rstrip("/").rsplit("/", 1)[-1])}
        for row in rows
    ]
    return render_kiosk(request, "kiosk/cases.html", {"cases": listed})


@require_GET
@kiosk_page(person=True)
def case_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = _person(request)
    case = case_for_page(user, public_id)
    reads = case_page_reads(case)
    return render_kiosk(
        request,
        "kiosk/case_detail.html",
        {"case": case, "steps": progress_steps(case), "events": reads.events[-10:]},
    )


# --- 打印证照与结果 --------------------------------------------------------------------------------------
@require_GET
@kiosk_page(person=True)
def print_list(request: HttpRequest) -> HttpResponse:
    """The person's licences and the decision documents of his cases, each printable."""
    user = _person(request)
    licences = list(licence_services.wallet(user).select_related("licence_type")[:PRINT_LIMIT])
    results = list(
        visible_cases(user)
        .exclude(result_document="")
        .select_related("item")
        .order_by("-submitted_at")[:PRINT_LIMIT]
    )
    return render_kiosk(request, "kiosk/print.html", {"licences": licences, "results": results})


@require_GET
@kiosk_page(person=True)
def print_licence(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The stamped PDF of a licence he holds (or may open), inline for the kiosk's printer."""
    user = _person(request)
    licence, _company = licence_for_viewer(user, public_id)
    licence_services.record_download(licence, user)
    response = HttpResponse(licence_services.document_bytes(licence), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="licence-{licence.serial}-{licence.version:03d}.pdf"'
    return response


@require_GET
@kiosk_page(person=True)
def print_result(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The decision document of one of his cases (audited by the download read)."""
    user = _person(request)
    response = download_response(result_download(user, public_id))
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    return response  # type: ignore[return-value]


# --- 申请办理 -------------------------------------------------------------------------------------------
@require_GET
@kiosk_page()
def apply(request: HttpRequest) -> HttpResponse:
    """Find an item (the catalogue's search) and go to its application form (logged-in person)."""
    query = request.GET.get("q", "").strip()[:50]
    items, total = search_items(query, limit=SEARCH_SIZE) if query else ([], 0)
    return render_kiosk(request, "kiosk/apply.html", {"query": query, "items": items, "total": total})


__all__ = [
    "apply",
    "case_detail",
    "cases",
    "checkin_page",
    "print_licence",
    "print_list",
    "print_result",
    "ticket",
]
