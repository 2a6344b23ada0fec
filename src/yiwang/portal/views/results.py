"""Case results in my space: documents (文书), the delivery choice (送达) and 一件事 applications."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from yiwang.catalog.forms import definition_of, from_legacy, leaves, parse_post, render_nodes, subset
from yiwang.core.errors import DomainError, NotFound
from yiwang.portal.forms import form_wording, upload_control
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


_SHARED_PREFIX = "f_"


def _member_prefix(member: Any) -> str:
    return f"m_{member.item.public_id}_"


def _merged_component(merged: Any) -> dict[str, Any]:
    """A merged field as an e-form component; a plain text field mapped onto a member's typed field
    (select, date, number, money, address…) takes that field's component, so the applicant sees the
    control the member's form checks against (the member's form would refuse anything else)."""
    field = merged.field
    legacy = {
        "name": field.name,
        "label": field.label,
        "type": field.type or "text",
        "required": field.required,
        "choices": list(field.choices or []),
        "help_text": field.help_text,
    }
    component: dict[str, Any] = from_legacy([legacy])["components"][0]
    if legacy["type"] != "text":
        return component
    for member, item_field in merged.targets:
        definition = definition_of(member.item.form_definition, member.item.form_fields)
        target = next((leaf.component for leaf in leaves(definition) if leaf.key == item_field), None)
        if target is None or target.get("type") in ("textfield", "textarea", "file", "datagrid"):
            continue
        typed = {
            key: value
            for key, value in target.items()
            if key not in ("conditional", "calculateValue", "properties", "disabled", "defaultValue")
        }
        code_table = (target.get("properties") or {}).get("codeTable")
        if code_table:
            typed["properties"] = {"codeTable": code_table}
        rules = {k: v for k, v in (target.get("validate") or {}).items() if k != "required"}
        if field.required:
            rules["required"] = True
        typed.update(key=component["key"], label=component["label"], validate=rules)
        if component.get("description"):
            typed["description"] = component["description"]
        return typed
    return component


def _bundle_definitions(bundle: Any) -> tuple[Any, dict[str, Any], list[tuple[Any, dict[str, Any]]]]:
    """The merged form as e-form definitions: the shared fields (inputs ``f_<name>``) and, per member,
    what it still asks (inputs ``m_<item public id>_<key>``), both drawn by the single-item renderer."""
    form = merged_form(bundle)
    shared = {"display": "form", "components": [_merged_component(merged) for merged in form.fields]}
    remaining = [
        (
            member,
            subset(
                definition_of(member.item.form_definition, member.item.form_fields),
                {str(spec.get("name")) for spec in specs},
            ),
        )
        for member, specs in form.remaining
    ]
    return form, shared, remaining


def _bundle_controls(
    bundle: Any, post: Any, exc: DomainError | None, held: Mapping[str, Sequence[HeldUpload]]
) -> dict[str, Any]:
    """The 一件事 form through the renderer the single-item form uses (``forms/_form.html``)."""
    errors = exc.fields if exc is not None else {}
    posted = bool(post)

    def member_errors(member: Any) -> dict[str, Any]:
        start = f"{member.item.public_id}."
        return {key.removeprefix(start): found for key, found in errors.items() if key.startswith(start)}

    labels: dict[str, tuple[str, str]] = {}
    form, shared_definition, remaining_definitions = _bundle_definitions(bundle)
    shared_errors: dict[str, list[str]] = {}
    for merged in form.fields:
        name = merged.field.name
        for member, item_field in merged.targets:
            labels[f"{member.item.public_id}.{item_field}"] = (
                f"id_{_SHARED_PREFIX}{name}",
                merged.field.label,
            )
            found = member_errors(member).get(item_field, [])
            for message in found if isinstance(found, list | tuple) else [found]:
                if str(message) not in shared_errors.setdefault(name, []):
                    shared_errors[name].append(str(message))
    shared = render_nodes(
        shared_definition,
        parse_post(shared_definition, post, _SHARED_PREFIX) if posted else {},
        shared_errors,
        prefix=_SHARED_PREFIX,
    )
    remaining = []
    for member, definition in remaining_definitions:
        prefix = _member_prefix(member)
        for leaf in leaves(definition):
            path = leaf.key if leaf.table is None else f"{leaf.table['key']}.{leaf.key}"
            labels[f"{member.item.public_id}.{path}"] = (
                f"id_{prefix}{leaf.key}",
                f"{member.item.name}：{leaf.component.get('label') or leaf.key}",
            )
        values = parse_post(definition, post, prefix) if posted else {}
        remaining.append((member, render_nodes(definition, values, member_errors(member), prefix=prefix)))
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
        _form, shared_definition, remaining_definitions = _bundle_definitions(bundle)
        form_data = parse_post(shared_definition, request.POST, _SHARED_PREFIX)
        member_forms = {
            str(member.item.public_id): parse_post(definition, request.POST, _member_prefix(member))
            for member, definition in remaining_definitions
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
