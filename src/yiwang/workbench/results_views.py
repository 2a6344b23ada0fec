"""Workbench pages for case results: documents, result handover (送达交接) and window registration
for walk-in applicants (窗口登记)."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import StaffRole
from yiwang.accounts.reads import find_applicant
from yiwang.accounts.services import staff_roles
from yiwang.cases import downloads
from yiwang.cases.delivery import record_handover
from yiwang.cases.models import CaseDocument, DeliveryMethod, DocumentKind
from yiwang.cases.schemas import HandoverIn
from yiwang.cases.services import get_case_for
from yiwang.cases.window import register_walk_in, require_window_clerk
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.errors import DomainError
from yiwang.web.forms import parse_form
from yiwang.web.ui import (
    attempt,
    current_user,
    domain_errors,
    download_response,
    error_context,
    field,
    staff_required,
)


@staff_required
@domain_errors
def document_download(request: HttpRequest, public_id: UUID, document_id: UUID) -> HttpResponseBase:
    return download_response(downloads.document_download(current_user(request), public_id, document_id))


@require_POST
@staff_required
@domain_errors
def handover(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """送达交接 recorded by a window clerk; the form is validated by the API's HandoverIn."""
    user = current_user(request)
    case = get_case_for(user, public_id)

    def record() -> None:
        form = parse_form(HandoverIn, request.POST, blank_is_missing=False)
        record_handover(
            case,
            actor=user,
            recipient_name=form.recipient_name,
            recipient_signature=form.recipient_signature,
            tracking_number=form.tracking_number,
        )

    return attempt(
        request,
        record,
        success=_("送达交接已登记。"),
        done=reverse("workbench:case_detail", kwargs={"public_id": case.public_id}),
    )


def _items_for(user: Any) -> list[ServiceItem]:
    organisation_id = user.staff_profile.organisation_id
    return list(
        ServiceItem.objects.filter(implementing_body_id=organisation_id, status=ItemStatus.PUBLISHED)
        .prefetch_related("materials")
        .order_by("name")[:500]
    )


@staff_required
@domain_errors
def window_register(request: HttpRequest) -> HttpResponse:
    """窗口登记 Pick an item, enter the applicant's identity, fill the form, upload, register."""
    user = current_user(request)
    require_window_clerk(user)
    items = _items_for(user)
    selected = next(
        (i for i in items if str(i.public_id) == request.POST.get("item", request.GET.get("item", ""))), None
    )
    exc: DomainError | None = None
    found = None
    lookup = request.GET.get("lookup", "").strip()
    if lookup:
        found = find_applicant(lookup)
    if request.method == "POST" and selected is not None and request.POST.get("register"):
        form_data = {
            str(spec["name"]): request.POST.get(f"form_{spec['name']}", "")
            for spec in selected.form_fields or []
            if spec.get("name")
        }
        files = {
            str(material.public_id): request.FILES.getlist(f"material_{material.public_id}")
            for material in selected.materials.all()
            if request.FILES.getlist(f"material_{material.public_id}")
        }
        try:
            case = register_walk_in(
                clerk=user,
                item=selected,
                applicant_name=request.POST.get("applicant_name", ""),
                applicant_id_number=request.POST.get("applicant_id_number", ""),
                applicant_phone=request.POST.get("applicant_phone", ""),
                form_data=form_data,
                files=files,
                delivery_method=request.POST.get("delivery_method", DeliveryMethod.WINDOW),
                delivery_address=request.POST.get("delivery_address", ""),
                idempotency_key=request.POST.get("idempotency_key", ""),
            )
        except DomainError as error:
            exc = error
        else:
            messages.success(
                request, _("已登记，办件编号 %(number)s，请打印收件回执交申请人。") % {"number": case.number}
            )
            return redirect("workbench:window_receipt", public_id=case.public_id)
    errors = exc.fields if exc else {}
    post = request.POST
    controls: list[dict[str, Any]] = []
    if selected is not None:
        for spec in selected.form_fields or []:
            name = str(spec.get("name"))
            controls.append(
                field(
                    f"form_{name}",
                    str(spec.get("label", name)),
                    value=post.get(f"form_{name}", ""),
                    required=bool(spec.get("required")),
                    errors=errors.get(name),
                    choices=[(c, c) for c in spec.get("choices", [])]
                    if spec.get("type") == "select"
                    else None,
                    type="select" if spec.get("type") == "select" else "text",
                )
            )
        for material in selected.materials.all():
            controls.append(
                field(
                    f"material_{material.public_id}",
                    material.name,
                    type="file",
                    required=material.mandatory,
                    errors=errors.get(str(material.public_id)),
                )
            )
    return render(
        request,
        "workbench/window_register.html",
        {
            "items": items,
            "selected": selected,
            "controls": controls,
            "post": post,
            "found": found,
            "applicant_name": post.get("applicant_name") or (found.display_name if found is not None else ""),
            "lookup": lookup,
            "identity_errors": {k: v for k, v in errors.items() if k.startswith("applicant")},
            "delivery_methods": DeliveryMethod.choices,
            "idempotency_key": post.get("idempotency_key") or uuid.uuid4().hex,
            "error": error_context(exc, {}) if exc else None,
            "is_clerk": StaffRole.WINDOW_CLERK in staff_roles(user),
        },
        status=exc.status if exc else 200,
    )


@staff_required
@domain_errors
def window_receipt(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """收件回执 The receipt page (printable) with the case number and a link to the PDF."""
    case = get_case_for(current_user(request), public_id)
    receipt = CaseDocument.objects.filter(case=case, kind=DocumentKind.RECEIPT).first()
    return render(request, "workbench/window_receipt.html", {"case": case, "receipt": receipt})
