"""Case results in my space: documents (文书), the delivery choice (送达) and 一件事 applications."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.cases import bundles
from yiwang.cases.delivery import change_delivery
from yiwang.cases.models import CaseDocument, DeliveryMethod
from yiwang.cases.services import case_document_for, get_case_for
from yiwang.catalog.bundles import bundle_materials, get_published_bundle, merged_form
from yiwang.core.errors import DomainError, NotFound
from yiwang.portal.ui import applicant_required, current_user, domain_errors, error_context, field
from yiwang.portal.views.my import file_response


@domain_errors
@applicant_required
def case_document(request: HttpRequest, public_id: UUID, document_id: UUID) -> HttpResponseBase:
    """文书下载 One of the case's documents, only for the applicant (or his agent)."""
    case, document = case_document_for(current_user(request), public_id, document_id)
    return file_response(document.file, f"{case.number}-{document.kind}.pdf")


@require_POST
@domain_errors
@applicant_required
def case_delivery(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """变更送达方式 before completion."""
    user = current_user(request)
    case = get_case_for(user, public_id)
    try:
        change_delivery(
            case,
            user=user,
            method=request.POST.get("method", ""),
            address=request.POST.get("address", ""),
            phone=request.POST.get("phone", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("送达方式已变更。"))
    return redirect("portal:case_detail", public_id=case.public_id)


def _bundle_controls(bundle: Any, post: Any, exc: DomainError | None) -> dict[str, Any]:
    errors = exc.fields if exc is not None else {}
    form = merged_form(bundle)
    shared = [
        field(
            f"f_{m.field.name}",
            m.field.label,
            type="select" if m.field.type == "select" else ("number" if m.field.type == "number" else "text"),
            value=post.get(f"f_{m.field.name}", ""),
            required=m.field.required,
            choices=[(c, c) for c in m.field.choices] if m.field.type == "select" else None,
            help=m.field.help_text,
        )
        for m in form.fields
    ]
    remaining = []
    for member, specs in form.remaining:
        remaining.append(
            (
                member,
                [
                    field(
                        f"m_{member.item.public_id}_{spec['name']}",
                        str(spec.get("label", spec["name"])),
                        value=post.get(f"m_{member.item.public_id}_{spec['name']}", ""),
                        required=bool(spec.get("required")),
                        errors=errors.get(f"{member.item.public_id}.{spec['name']}"),
                    )
                    for spec in specs
                ],
            )
        )
    materials = [
        field(
            f"material_{n}",
            row.name,
            type="file",
            required=row.mandatory,
            help=_("用于：") + "、".join(m.item.name for m in row.members),
        )
        for n, row in enumerate(bundle_materials(bundle))
    ]
    return {"shared": shared, "remaining": remaining, "materials": materials}


@domain_errors
@applicant_required
def bundle_apply(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """一件事申请 One merged form and one set of materials for every member item."""
    bundle = get_published_bundle(public_id)
    exc: DomainError | None = None
    if request.method == "POST":
        rows = bundle_materials(bundle)
        files = {
            row.key: request.FILES.getlist(f"material_{n}")
            for n, row in enumerate(rows)
            if request.FILES.getlist(f"material_{n}")
        }
        form_data = {
            name.removeprefix("f_"): value for name, value in request.POST.items() if name.startswith("f_")
        }
        member_forms: dict[str, dict[str, Any]] = {}
        for member in bundle.members.all():
            prefix = f"m_{member.item.public_id}_"
            member_forms[str(member.item.public_id)] = {
                name.removeprefix(prefix): value
                for name, value in request.POST.items()
                if name.startswith(prefix)
            }
        try:
            application = bundles.apply_bundle(
                applicant=current_user(request),
                bundle=bundle,
                form_data=form_data,
                member_forms=member_forms,
                optional_items=request.POST.getlist("optional_items"),
                files=files,
                delivery_method=request.POST.get("delivery_method", DeliveryMethod.ELECTRONIC),
                delivery_address=request.POST.get("delivery_address", ""),
            )
        except DomainError as error:
            exc = error
        else:
            messages.success(request, _("一件事申请已提交，各事项已分别登记办件编号。"))
            return redirect("portal:bundle_application", public_id=application.public_id)
    return render(
        request,
        "portal/bundle_apply.html",
        {
            "bundle": bundle,
            "optional_members": [m for m in bundle.members.all() if m.optional],
            "delivery_methods": DeliveryMethod.choices,
            "post": request.POST,
            "error": error_context(exc, {}) if exc else None,
            **_bundle_controls(bundle, request.POST, exc),
        },
        status=exc.status if exc else 200,
    )


@domain_errors
@applicant_required
def bundle_application(request: HttpRequest, public_id: UUID) -> HttpResponse:
    application = bundles.get_application_for(current_user(request), public_id)
    return render(
        request,
        "portal/bundle_application.html",
        {
            "application": application,
            "cases": bundles.sub_cases(application),
            "documents": list(application.documents.all()),
        },
    )


@domain_errors
@applicant_required
def bundle_document(request: HttpRequest, public_id: UUID, document_id: UUID) -> HttpResponseBase:
    application = bundles.get_application_for(current_user(request), public_id)
    document = CaseDocument.objects.filter(bundle_application=application, public_id=document_id).first()
    if document is None:
        raise NotFound(_("文书不存在"))
    return file_response(document.file, f"{document.title}.pdf")
