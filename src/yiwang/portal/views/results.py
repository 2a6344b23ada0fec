"""Case results in my space: documents (文书), the delivery choice (送达) and 一件事 applications."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.cases import bundles
from yiwang.cases import held as held_uploads
from yiwang.cases.delivery import change_delivery
from yiwang.cases.downloads import document_download
from yiwang.cases.models import CaseDocument, DeliveryMethod, HeldUpload
from yiwang.cases.schemas import DeliveryIn
from yiwang.cases.services import get_case_for
from yiwang.catalog.bundles import bundle_materials, get_published_bundle, merged_form
from yiwang.core.errors import DomainError, NotFound
from yiwang.portal.forms import form_wording, spec_control, spec_controls, upload_control
from yiwang.web.forms import parse_form
from yiwang.web.ui import (
    applicant_required,
    attempt,
    current_user,
    domain_errors,
    download_response,
    error_context,
    file_response,
)


@domain_errors
@applicant_required
def case_document(request: HttpRequest, public_id: UUID, document_id: UUID) -> HttpResponseBase:
    """文书下载 One of the case's documents, only for the applicant (or his agent)."""
    return download_response(document_download(current_user(request), public_id, document_id))


@require_POST
@domain_errors
@applicant_required
def case_delivery(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    """变更送达方式 before completion; the form is validated by the API's DeliveryIn."""
    user = current_user(request)
    case = get_case_for(user, public_id)

    def change() -> None:
        form = parse_form(DeliveryIn, request.POST, blank_is_missing=False, type_messages=form_wording())
        change_delivery(case, user=user, method=form.method, address=form.address, phone=form.phone)

    return attempt(
        request,
        change,
        success=_("送达方式已变更。"),
        done=reverse("portal:case_detail", kwargs={"public_id": case.public_id}),
    )


def _merged_spec(merged: Any) -> dict[str, Any]:
    """A merged field as a field spec; a plain text field mapped onto a member's select, date or
    number field takes that field's type and choices (the member's form would refuse anything else)."""
    spec: dict[str, Any] = {
        "name": merged.field.name,
        "label": merged.field.label,
        "type": merged.field.type or "text",
        "required": merged.field.required,
        "choices": list(merged.field.choices or []),
        "help_text": merged.field.help_text,
    }
    if spec["type"] == "text":
        for member, item_field in merged.targets:
            target = next((f for f in member.item.form_fields or [] if f.get("name") == item_field), None)
            if target and target.get("type") in {"select", "date", "number"}:
                spec["type"] = target["type"]
                spec["choices"] = list(target.get("choices") or [])
                break
    return spec


def _bundle_controls(
    bundle: Any, post: Any, exc: DomainError | None, held: Mapping[str, Sequence[HeldUpload]]
) -> dict[str, Any]:
    """The 一件事 form through the renderer the single-item form uses (portal/forms.py)."""
    errors = exc.fields if exc is not None else {}

    def member_errors(member: Any, name: str) -> list[str]:
        found = errors.get(f"{member.item.public_id}.{name}", [])
        return [str(message) for message in (found if isinstance(found, list | tuple) else [found])]

    labels: dict[str, tuple[str, str]] = {}
    form = merged_form(bundle)
    shared = []
    for merged in form.fields:
        spec = _merged_spec(merged)
        messages_: list[str] = []
        for member, item_field in merged.targets:
            labels[f"{member.item.public_id}.{item_field}"] = (f"id_f_{spec['name']}", spec["label"])
            messages_ += [m for m in member_errors(member, item_field) if m not in messages_]
        shared.append(
            spec_control(
                spec, name=f"f_{spec['name']}", value=post.get(f"f_{spec['name']}", ""), errors=messages_
            )
        )
    remaining = []
    for member, specs in form.remaining:
        prefix = f"m_{member.item.public_id}_"
        values = {name.removeprefix(prefix): value for name, value in post.items() if name.startswith(prefix)}
        for spec in specs:
            labels[f"{member.item.public_id}.{spec.get('name')}"] = (
                f"id_{prefix}{spec.get('name')}",
                f"{member.item.name}：{spec.get('label') or spec.get('name')}",
            )
        remaining.append(
            (
                member,
                spec_controls(
                    specs,
                    values,
                    prefix=prefix,
                    errors_for=partial(member_errors, member),
                ),
            )
        )
    item_ids = {member.item_id: member.item.public_id for member in bundle.members.all()}
    materials = []
    for n, row in enumerate(bundle_materials(bundle)):
        messages_ = []
        for material in row.materials:
            key = f"{item_ids.get(material.item_id)}.{material.public_id}"
            labels[key] = (f"id_material_{n}", row.name)
            found = errors.get(key, [])
            messages_ += [str(m) for m in (found if isinstance(found, list | tuple) else [found])]
        materials.append(
            upload_control(
                f"material_{n}",
                row.name,
                slot=row.key,
                required=row.mandatory,
                help=_("用于：") + _("、").join(m.item.name for m in row.members),
                errors=messages_,
                held=held.get(row.key, ()),
            )
        )
    return {
        "shared": shared,
        "remaining": remaining,
        "materials": materials,
        "error": error_context(exc, labels) if exc else None,
    }


@domain_errors
@applicant_required
def bundle_apply(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """一件事申请 One merged form and one set of materials for every member item.  Files chosen on a
    refused submit are held for the form's draft (cases/held.py) and shown as uploaded."""
    bundle = get_published_bundle(public_id)
    user = current_user(request)
    exc: DomainError | None = None
    draft = held_uploads.draft_key(request.POST.get("draft") if request.method == "POST" else None)
    held: dict[str, list[HeldUpload]] = {}
    if request.method == "POST":
        rows = bundle_materials(bundle)
        chosen = {
            row.key: request.FILES.getlist(f"material_{n}")
            for n, row in enumerate(rows)
            if request.FILES.getlist(f"material_{n}")
        }
        files, held = held_uploads.collect(
            user, draft, chosen, request.POST.getlist(held_uploads.REMOVE_FIELD)
        )
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
                applicant=user,
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
            held_uploads.discard(user, draft)
            messages.success(request, _("一件事申请已提交，各事项已分别登记办件编号。"))
            return redirect("portal:bundle_application", public_id=application.public_id)
    return render(
        request,
        "portal/bundle_apply.html",
        {
            "bundle": bundle,
            "optional_members": [m for m in bundle.members.all() if m.optional],
            "chosen_optional": request.POST.getlist("optional_items"),
            "delivery_methods": DeliveryMethod.choices,
            "post": request.POST,
            "draft": draft,
            "files_held": bool(held),
            **_bundle_controls(bundle, request.POST, exc, held),
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
