"""Sharing pages in the workbench (/workbench/sharing/): the catalogue and its resources, resource
editing and review, the request form, the requests inbox (provider) and outbox (consumer), grants.

Thin: forms are validated with the API's schemas (``web.forms``), changes go through the services,
what to offer comes from ``actions.allowed_actions``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.core.paging import paginate
from yiwang.sharing import reads, services
from yiwang.sharing.actions import allowed_actions, may_create_resource
from yiwang.sharing.models import (
    FieldDataType,
    OpenType,
    Resource,
    ResourceFormat,
    Sensitivity,
    ShareRequest,
    ShareType,
    SubjectKind,
    UpdateCycle,
)
from yiwang.sharing.schemas import SharingDecisionIn, SharingRequestIn, SharingResourceIn
from yiwang.sharing.services.catalogue import DEFINITION_KEYS
from yiwang.sharing.services.permissions import require_data_official
from yiwang.web.forms import validate_form
from yiwang.web.ui import domain_errors, error_context, staff_required

PER_PAGE = 20
CHOICES = {
    "formats": ResourceFormat.choices,
    "cycles": UpdateCycle.choices,
    "share_types": ShareType.choices,
    "open_types": OpenType.choices,
    "subject_kinds": SubjectKind.choices,
    "data_types": FieldDataType.choices,
    "sensitivities": Sensitivity.choices,
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _resource(user: User, resource_id: UUID) -> Resource:
    resource = reads.resource_detail_queryset().filter(public_id=resource_id).first()
    if resource is None or not reads.visible_resources(user).filter(pk=resource.pk).exists():
        raise Http404
    return resource


def _share_request(user: User, request_id: UUID) -> ShareRequest:
    share_request = reads.visible_requests(user).filter(public_id=request_id).first()
    if share_request is None:
        raise Http404
    return share_request


# --- catalogue and resources ---------------------------------------------------------------------
@staff_required
@domain_errors
def resource_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    q = request.GET.get("q", "").strip()[:100]
    share_type = request.GET.get("share_type", "")
    catalogue = _uuid(request.GET.get("catalogue"))
    provider = _uuid(request.GET.get("provider"))
    qs = reads.search_resources(
        user,
        q=q,
        share_type=share_type if share_type in ShareType.values else "",
        catalogue=catalogue,
        provider=provider,
    )
    return render(
        request,
        "sharing/resource_list.html",
        {
            "page": paginate(request, qs, PER_PAGE),
            "tree": reads.catalogue_tree(),
            "q": q,
            "share_type": share_type,
            "catalogue": catalogue,
            "share_types": ShareType.choices,
            "providers": Organisation.objects.filter(shared_resources__isnull=False)
            .distinct()
            .order_by("name"),
            "provider": provider,
            "may_create": may_create_resource(user),
        },
    )


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


@staff_required
@domain_errors
def resource_detail(
    request: HttpRequest, resource_id: UUID, error: DomainError | None = None
) -> HttpResponse:
    user = _user(request)
    resource = _resource(user, resource_id)
    return render(
        request,
        "sharing/resource_detail.html",
        {
            "resource": resource,
            "fields": list(resource.fields.all()),
            "versions": resource.versions.select_related("published_by").order_by("-number")[:20],
            "actions": allowed_actions(user, resource),
            "error": error_context(error) if error else None,
        },
        status=error.status if error else 200,
    )


def _fields_from_text(text: str) -> list[dict[str, Any]]:
    """One field a line: ``name|label|data_type|sensitivity`` (the last two optional)."""
    fields = []
    for line in text.splitlines()[:200]:
        parts = [part.strip() for part in line.split("|")]
        if not parts[0]:
            continue
        spec: dict[str, Any] = {
            "name": parts[0],
            "label": parts[1] if len(parts) > 1 and parts[1] else parts[0],
        }
        if len(parts) > 2 and parts[2]:
            spec["data_type"] = parts[2]
        if len(parts) > 3 and parts[3]:
            spec["sensitivity"] = parts[3]
            spec["is_personal"] = parts[3] == Sensitivity.PERSONAL
        fields.append(spec)
    return fields


def _fields_text(resource: Resource | None) -> str:
    if resource is None:
        return ""
    return "\n".join(f"{f.name}|{f.label}|{f.data_type}|{f.sensitivity}" for f in resource.fields.all())


def _resource_form(
    request: HttpRequest, resource: Resource | None, error: DomainError | None = None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    return render(
        request,
        "sharing/resource_form.html",
        {
            "resource": resource,
            "values": {
                key: (
                    data.get(key, "") if data is not None else getattr(resource, key, "") if resource else ""
                )
                for key in DEFINITION_KEYS
            },
            "fields_text": data.get("fields_text", "") if data else _fields_text(resource),
            "catalogues": reads.catalogue_tree(),
            "chosen": set(data.getlist("catalogue_ids"))
            if data
            else {str(c.public_id) for c in (resource.catalogues.all() if resource else [])},
            "error": error_context(error) if error else None,
            **CHOICES,
        },
        status=error.status if error else 200,
    )


def _parse_resource(request: HttpRequest) -> SharingResourceIn:
    post = request.POST
    values: dict[str, Any] = {
        key: post.get(key, "")
        for key in (
            "name",
            "description",
            "format",
            "update_cycle",
            "share_type",
            "share_conditions",
            "no_share_basis",
            "open_type",
            "service",
            "subject_kind",
        )
        if post.get(key, "") != "" or key in ("name",)
    }
    values["catalogue_ids"] = post.getlist("catalogue_ids")[:50]
    values["fields"] = _fields_from_text(post.get("fields_text", ""))
    return validate_form(SharingResourceIn, values)  # type: ignore[return-value]


@staff_required
@domain_errors
def resource_create(request: HttpRequest) -> HttpResponse:
    user = require_data_official(_user(request))
    if request.method != "POST":
        return _resource_form(request, None)
    try:
        payload = _parse_resource(request)
        organisation = user.staff_profile.organisation
        resource = services.create_resource(
            actor=user,
            provider=organisation,
            definition=payload.model_dump(exclude={"provider_id", "catalogue_ids", "fields"}),
            fields=[f.model_dump() for f in payload.fields],
            catalogue_ids=payload.catalogue_ids,
        )
    except DomainError as exc:
        return _resource_form(request, None, exc)
    flash.success(request, _("资源已保存为草稿。"))
    return redirect("sharing:resource", resource_id=resource.public_id)


@staff_required
@domain_errors
def resource_edit(request: HttpRequest, resource_id: UUID) -> HttpResponse:
    user = require_data_official(_user(request))
    resource = _resource(user, resource_id)
    if "edit" not in allowed_actions(user, resource):
        raise Http404
    if request.method != "POST":
        return _resource_form(request, resource)
    try:
        payload = _parse_resource(request)
        services.update_resource(
            resource,
            actor=user,
            definition=payload.model_dump(exclude={"provider_id", "catalogue_ids", "fields"}),
            fields=[f.model_dump() for f in payload.fields],
            catalogue_ids=payload.catalogue_ids,
        )
    except DomainError as exc:
        return _resource_form(request, resource, exc)
    flash.success(request, _("资源已保存为草稿，提交审核后发布。"))
    return redirect("sharing:resource", resource_id=resource.public_id)


RESOURCE_ACTIONS = {
    "submit": lambda resource, user, post: services.submit_resource(resource, actor=user),
    "approve": lambda resource, user, post: services.review_resource(
        resource, actor=user, approve=True, note=post.get("note", "")[:2000]
    ),
    "return": lambda resource, user, post: services.review_resource(
        resource, actor=user, approve=False, note=post.get("note", "")[:2000]
    ),
    "retire": lambda resource, user, post: services.retire_resource(
        resource, actor=user, reason=post.get("reason", "")[:2000]
    ),
}


@require_POST
@staff_required
@domain_errors
def resource_action(request: HttpRequest, resource_id: UUID, action: str) -> HttpResponse:
    user = _user(request)
    resource = _resource(user, resource_id)
    handler = RESOURCE_ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        handler(resource, user, request.POST)
    except DomainError as exc:
        return resource_detail(request, resource_id, error=exc)
    flash.success(request, _("操作已完成。"))
    return redirect("sharing:resource", resource_id=resource.public_id)


@staff_required
@domain_errors
def request_form(request: HttpRequest, resource_id: UUID) -> HttpResponse:
    user = require_data_official(_user(request))
    resource = _resource(user, resource_id)
    if "request" not in allowed_actions(user, resource):
        raise Http404
    error = None
    if request.method == "POST":
        try:
            payload = validate_form(
                SharingRequestIn,
                {
                    "resource_id": str(resource.public_id),
                    "fields": request.POST.getlist("fields")[:200],
                    "purpose": request.POST.get("purpose", ""),
                    "legal_basis": request.POST.get("legal_basis", ""),
                    "period_start": request.POST.get("period_start") or None,
                    "period_end": request.POST.get("period_end") or None,
                },
            )
            share_request = services.request_resource(
                actor=user,
                resource=resource,
                fields=payload.fields,  # type: ignore[attr-defined]
                purpose=payload.purpose,  # type: ignore[attr-defined]
                legal_basis=payload.legal_basis,  # type: ignore[attr-defined]
                period_start=payload.period_start,  # type: ignore[attr-defined]
                period_end=payload.period_end,  # type: ignore[attr-defined]
            )
        except DomainError as exc:
            error = exc
        else:
            flash.success(request, _("共享申请已提交。"))
            return redirect("sharing:request", request_id=share_request.public_id)
    return render(
        request,
        "sharing/request_form.html",
        {
            "resource": resource,
            "fields": services.published_fields(resource),
            "data": request.POST if request.method == "POST" else None,
            "chosen": set(request.POST.getlist("fields")),
            "today": timezone.localdate(),
            "error": error_context(error) if error else None,
        },
        status=error.status if error else 200,
    )


# --- requests and grants -------------------------------------------------------------------------
@staff_required
@domain_errors
def request_list(request: HttpRequest) -> HttpResponse:
    user = require_data_official(_user(request))
    side = "outbox" if request.GET.get("side") == "outbox" else "inbox"
    qs = reads.requests_as_provider(user) if side == "inbox" else reads.requests_as_consumer(user)
    if request.GET.get("overdue"):
        qs = reads.overdue(qs)
    page = paginate(request, qs.order_by("-created_at", "-pk"), PER_PAGE)
    now = timezone.now()
    rows = [(r, reads.is_overdue(r, now)) for r in page.object_list]
    return render(
        request,
        "sharing/request_list.html",
        {
            "side": side,
            "page": page,
            "rows": rows,
            "overdue_only": bool(request.GET.get("overdue")),
            "overdue_count": reads.overdue(reads.requests_as_provider(user), now).count(),
        },
    )


@staff_required
@domain_errors
def request_detail(request: HttpRequest, request_id: UUID, error: DomainError | None = None) -> HttpResponse:
    user = require_data_official(_user(request))
    share_request = _share_request(user, request_id)
    return render(
        request,
        "sharing/request_detail.html",
        {
            "item": share_request,
            "overdue": reads.is_overdue(share_request),
            "actions": allowed_actions(user, share_request),
            "grants": share_request.grants.all(),
            "error": error_context(error) if error else None,
        },
        status=error.status if error else 200,
    )


@require_POST
@staff_required
@domain_errors
def request_action(request: HttpRequest, request_id: UUID, action: str) -> HttpResponse:
    user = require_data_official(_user(request))
    share_request = _share_request(user, request_id)
    try:
        if action == "withdraw":
            services.withdraw_request(share_request, actor=user)
        elif action == "decide":
            post = request.POST
            payload: Any = validate_form(
                SharingDecisionIn,
                {
                    "decision": post.get("decision", ""),
                    "note": post.get("note", ""),
                    "fields": post.getlist("fields")[:200] or None,
                    "period_end": post.get("period_end") or None,
                    "quota_per_day": post.get("quota_per_day") or None,
                },
            )
            services.decide_request(
                share_request,
                actor=user,
                decision=payload.decision,
                note=payload.note,
                fields=payload.fields,
                period_end=payload.period_end,
                quota_per_day=payload.quota_per_day,
            )
        else:
            raise Http404
    except DomainError as exc:
        return request_detail(request, request_id, error=exc)
    flash.success(request, _("操作已完成。"))
    return redirect("sharing:request", request_id=share_request.public_id)


@staff_required
@domain_errors
def grant_list(request: HttpRequest) -> HttpResponse:
    user = require_data_official(_user(request))
    page = paginate(request, reads.visible_grants(user).order_by("-valid_from", "-pk"), PER_PAGE)
    return render(
        request,
        "sharing/grant_list.html",
        {"page": page, "rows": [(g, allowed_actions(user, g)) for g in page.object_list]},
    )


@require_POST
@staff_required
@domain_errors
def grant_revoke(request: HttpRequest, grant_id: UUID) -> HttpResponse:
    user = require_data_official(_user(request))
    grant = reads.visible_grants(user).filter(public_id=grant_id).first()
    if grant is None:
        raise Http404
    try:
        services.revoke_grant(grant, actor=user, reason=request.POST.get("reason", "")[:2000])
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, _("授权已撤销。"))
    return redirect("sharing:grants")
