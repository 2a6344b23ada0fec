"""前台综合受理 The console's service pages (/workbench/hall/…): walk-in registration for any item of
the hall, the receipt and scans of a case registered at this visit, results handed out at one
window (统一窗口出件), and the served person in full (the read logged)."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseDocument, CaseStatus, DeliveryMethod, DocumentKind
from yiwang.core import audit
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.masking import mask_name
from yiwang.hall.access import halls_for_staff
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import Hall, QueueTicket, Window
from yiwang.hall.services import console as console_services
from yiwang.web.ui import current_user, domain_errors, error_context, field, file_response, staff_required

MAX_ITEMS = 30


def _desk(request: HttpRequest) -> tuple[User, Window, Hall, QueueTicket | None]:
    """The clerk, the window he is signed in to, its hall and the ticket being served."""
    user = current_user(request)
    if not halls_for_staff(user):
        raise PermissionDenied("只有大厅窗口人员可以使用窗口工作台")
    window = console_services.current_window(user)
    if window is None:
        raise DomainError(HallErrorCode.WINDOW_BUSY, "请先登录窗口", status=409)
    return user, window, window.hall, console_services.current_ticket(window)


@staff_required
@domain_errors
def register_start(request: HttpRequest) -> HttpResponse:
    """登记申请 Step 1: find the item among the hall's (htmx search as the clerk types)."""
    _user, _window, hall, ticket = _desk(request)
    query = request.GET.get("q", "").strip()[:50]
    items = console_services.hall_items(hall)
    if query:
        items = items.filter(name__icontains=query)
    context = {"hall": hall, "ticket": ticket, "query": query, "items": list(items[:MAX_ITEMS])}
    if request.headers.get("HX-Request"):
        return render(request, "hall/console/_items.html", context)
    return render(request, "hall/console/register_start.html", context)


def _controls(item: Any, post: Any, errors: dict[str, Any]) -> list[dict[str, Any]]:
    """The scanned materials' upload controls (the form itself: ``console_services.form_nodes``)."""
    controls: list[dict[str, Any]] = []
    for material in item.materials.all():
        controls.append(
            field(
                f"material_{material.public_id}",
                material.name,
                type="file",
                required=material.mandatory,
                errors=errors.get(str(material.public_id)),
                accept="application/pdf,image/jpeg,image/png",
            )
        )
    return controls


@staff_required
@domain_errors
def register_item(request: HttpRequest, item_id: UUID) -> HttpResponseBase:
    """登记申请 Step 2: the item's form, the scanned materials and the applicant's identity
    (prefilled from the ticket's booking or ticket, a logged read) → the case, kept on the ticket."""
    user, _window, hall, ticket = _desk(request)
    item = console_services.hall_items(hall).filter(public_id=item_id).prefetch_related("materials").first()
    if item is None:
        raise Http404(_("本大厅不受理该事项"))
    exc: DomainError | None = None
    post = request.POST
    if request.method == "POST":
        try:
            case = console_services.register_for_ticket(
                clerk=user,
                item=item,
                ticket=ticket,
                applicant_name=post.get("applicant_name", ""),
                applicant_id_number=post.get("applicant_id_number", ""),
                applicant_phone=post.get("applicant_phone", ""),
                form_data=console_services.form_data_from(item, post),
                files=console_services.files_from(item, request.FILES),
                delivery_method=post.get("delivery_method", DeliveryMethod.WINDOW),
                delivery_address=post.get("delivery_address", ""),
                idempotency_key=post.get("idempotency_key", "")[:64],
            )
        except DomainError as error:
            exc = error
        else:
            messages.success(
                request, _("已登记，办件编号 %(number)s，请打印收件回执交申请人。") % {"number": case.number}
            )
            return redirect("hall:visit_case", case_id=case.public_id)
    if request.method == "POST":
        identity = {key: post.get(f"applicant_{key}", "") for key in ("name", "id_number", "phone")}
    elif ticket is not None and console_services.ticket_person(ticket)["id_number"]:
        identity = console_services.shown_ticket_person(user, ticket, unmask=True)
    else:
        identity = {"name": "", "id_number": "", "phone": ""}
    errors = exc.fields if exc else {}
    return render(
        request,
        "hall/console/register_item.html",
        {
            "hall": hall,
            "ticket": ticket,
            "item": item,
            "form_nodes": console_services.form_nodes(
                item, console_services.form_data_from(item, post) if request.method == "POST" else {}, errors
            ),
            "controls": _controls(item, post, errors),
            "identity": identity,
            "identity_errors": {k: v for k, v in errors.items() if k.startswith("applicant")},
            "delivery_methods": DeliveryMethod.choices,
            "delivery_method": post.get("delivery_method", DeliveryMethod.WINDOW),
            "delivery_address": post.get("delivery_address", ""),
            "idempotency_key": post.get("idempotency_key") or uuid.uuid4().hex,
            "error": error_context(exc, {}) if exc else None,
        },
        status=exc.status if exc else 200,
    )


def _visit_context(user: User, case: Case, ticket: QueueTicket | None) -> dict[str, Any]:
    receipt = CaseDocument.objects.filter(case=case, kind=DocumentKind.RECEIPT).first()
    return {
        "case": case,
        "applicant_name": mask_name(case.applicant_name),
        "receipt": receipt,
        "materials": list(case.materials.filter(superseded=False).order_by("pk")),
        "may_scan": ticket is not None
        and str(case.public_id) in ticket.case_public_ids
        and case.status == CaseStatus.SUBMITTED,
        "scan_controls": _controls_for_scans(case),
    }


def _controls_for_scans(case: Case) -> list[dict[str, Any]]:
    return [
        field(
            f"material_{material.public_id}",
            material.name,
            type="file",
            multiple=True,
            accept="application/pdf,image/jpeg,image/png",
        )
        for material in case.item.materials.all()
    ]


@staff_required
@domain_errors
def visit_case(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """收件回执 The case registered at the console: number, receipt, materials and the scan form."""
    user, _window, _hall, ticket = _desk(request)
    case = console_services.visit_case(user, case_id)
    return render(request, "hall/console/visit_case.html", _visit_context(user, case, ticket))


@staff_required
@domain_errors
def visit_receipt(request: HttpRequest, case_id: UUID) -> HttpResponseBase:
    """The receipt (收件回执) PDF of a case the clerk registered; the download is audited."""
    user = current_user(request)
    if not halls_for_staff(user):
        raise PermissionDenied("只有大厅窗口人员可以使用窗口工作台")
    case = console_services.visit_case(user, case_id)
    receipt = CaseDocument.objects.filter(case=case, kind=DocumentKind.RECEIPT).first()
    if receipt is None or not receipt.file:
        raise Http404(_("暂无收件回执"))
    audit.record("hall.console.receipt_downloaded", actor=user, obj=case, detail={"number": case.number})
    return file_response(receipt.file, f"{case.number}-receipt.pdf")


@require_POST
@staff_required
@domain_errors
def visit_scans(request: HttpRequest, case_id: UUID) -> HttpResponseBase:
    """扫描材料 Scans of paper materials added to the case registered at this visit."""
    user, _window, _hall, ticket = _desk(request)
    case = console_services.visit_case(user, case_id)
    try:
        count = console_services.add_scans(
            clerk=user, case=case, files=console_services.files_from(case.item, request.FILES), ticket=ticket
        )
    except DomainError as exc:
        context = _visit_context(user, case, ticket)
        context["error"] = error_context(exc, {})
        return render(request, "hall/console/visit_case.html", context, status=exc.status)
    messages.success(request, _("已扫描 %(count)s 份材料。") % {"count": count})
    return redirect("hall:visit_case", case_id=case.public_id)


def _handover_context(user: User, ticket: QueueTicket | None, id_number: str) -> dict[str, Any]:
    person_id = id_number or (console_services.ticket_person(ticket)["id_number"] if ticket else "")
    applicant = ticket.applicant if ticket is not None and not id_number else None
    cases = console_services.cases_to_hand_over(person_id, applicant=applicant)
    return {
        "ticket": ticket,
        "cases": [{"case": c, "applicant_name": mask_name(c.applicant_name)} for c in cases],
        "looked_up": bool(id_number),
    }


@staff_required
@domain_errors
def handover(request: HttpRequest) -> HttpResponse:
    """出件 The served person's results waiting for window pickup, across departments (GET: the
    ticket's person; POST: looked up by the ID number the clerk typed)."""
    user, _window, hall, ticket = _desk(request)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    id_number = request.POST.get("id_number", "").strip().upper()[:18] if request.method == "POST" else ""
    context = _handover_context(user, ticket, id_number)
    context["hall"] = hall
    return render(request, "hall/console/handover.html", context)


@require_POST
@staff_required
@domain_errors
def handover_case(request: HttpRequest, case_id: UUID) -> HttpResponseBase:
    """Record one handover: the recipient's name, the ID card checked, the signature."""
    user, _window, hall, ticket = _desk(request)
    case = Case.objects.select_related("item").filter(public_id=case_id).first()
    if case is None:
        raise Http404(_("办件不存在"))
    try:
        console_services.hand_over(
            clerk=user,
            case=case,
            recipient_name=request.POST.get("recipient_name", ""),
            recipient_id_number=request.POST.get("recipient_id_number", "")[:18],
            recipient_signature=request.POST.get("recipient_signature", ""),
            ticket=ticket,
        )
    except DomainError as exc:
        context = _handover_context(user, ticket, "")
        context.update({"hall": hall, "error": error_context(exc, {}), "failed": case.public_id})
        return render(request, "hall/console/handover.html", context, status=exc.status)
    messages.success(request, _("办件 %(number)s 已出件。") % {"number": case.number})
    return redirect("hall:handover")


@require_POST
@staff_required
@domain_errors
def person(request: HttpRequest) -> HttpResponse:
    """查看完整信息 The served person's name, ID number and phone in full; the read is logged."""
    user, _window, hall, ticket = _desk(request)
    if ticket is None:
        raise Http404(_("暂无正在办理的号码"))
    shown = console_services.shown_ticket_person(user, ticket, unmask=True)
    return render(request, "hall/console/person.html", {"hall": hall, "ticket": ticket, "person": shown})
