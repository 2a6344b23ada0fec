"""Data-quality pages (数据纠错): the workbench list, form and ticket page for staff
(/workbench/sharing/quality/), and the applicant's own reports (/my/data-quality/).

Thin: forms are validated with the API's schemas, changes go through the services, what to offer
comes from ``ticket_actions``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages as flash
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.core.errors import DomainError
from yiwang.core.paging import paginate
from yiwang.sharing import services
from yiwang.sharing.models import Grant, GrantStatus, QualityTicket, Resource, ResourceStatus
from yiwang.sharing.quality_api import SharingQualityIn, SharingQualityMineIn, ticket_out
from yiwang.sharing.services.quality import (
    applicant_subject,
    applicant_tickets,
    overdue,
    staff_tickets,
    ticket_actions,
    ticket_statistics,
)
from yiwang.sharing.services.requests import published_fields
from yiwang.web.forms import validate_form
from yiwang.web.ui import applicant_required, domain_errors, error_context, staff_required

PER_PAGE = 20


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _granted_resources(user: User) -> QuerySet[Resource]:
    """The resources the user's department holds an active grant on (what it may report about)."""
    today = timezone.localdate()
    granted = Grant.objects.filter(
        consumer_id=user.staff_profile.organisation_id,
        status=GrantStatus.ACTIVE,
        valid_from__lte=today,
        valid_until__gte=today,
    ).values("resource_id")
    return Resource.objects.filter(pk__in=granted, published_version__isnull=False).exclude(
        status=ResourceStatus.RETIRED
    )


def _applicant_resources(user: User) -> QuerySet[Resource]:
    kind, _key = applicant_subject(user)
    return Resource.objects.filter(
        subject_kind=kind, published_version__isnull=False, status=ResourceStatus.PUBLISHED
    ).select_related("provider")


def _form_values(request: HttpRequest, resource: Resource) -> dict[str, Any]:
    """``fields``, ``claimed_value`` and ``reported_value`` from the per-field inputs of the form."""
    names = [str(f.get("name")) for f in published_fields(resource)]
    claimed = {n: request.POST.get(f"claimed_{n}", "").strip() for n in names}
    claimed = {n: v for n, v in claimed.items() if v}
    reported = {n: request.POST.get(f"reported_{n}", "").strip() for n in claimed}
    return {
        "resource_id": str(resource.public_id),
        "fields": list(claimed),
        "claimed_value": claimed,
        "reported_value": {n: v for n, v in reported.items() if v},
        "description": request.POST.get("description", ""),
    }


def _chosen(resources: QuerySet[Resource], request: HttpRequest) -> Resource | None:
    raw = request.POST.get("resource") or request.GET.get("resource") or ""
    try:
        return resources.filter(public_id=UUID(raw)).first()
    except ValueError:
        return None


# --- staff (workbench) ------------------------------------------------------------------------------
@staff_required
def quality_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    tickets = staff_tickets(user)
    only_overdue = request.GET.get("overdue") == "1"
    qs = overdue(tickets) if only_overdue else tickets.order_by("-created_at", "pk")
    page = paginate(request, qs, PER_PAGE)
    return render(
        request,
        "sharing/quality_list.html",
        {
            "page": page,
            "tickets": page.object_list,
            "only_overdue": only_overdue,
            "statistics": ticket_statistics(user),
            "may_report": _granted_resources(user).exists(),
        },
    )


@staff_required
@domain_errors
def quality_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    resources = _granted_resources(user).select_related("provider")
    resource = _chosen(resources, request)
    context: dict[str, Any] = {"resources": resources, "resource": resource, "form": request.POST}
    if resource is not None:
        context["fields"] = published_fields(resource)
    if request.method == "POST" and resource is not None:
        try:
            values = {**_form_values(request, resource), "subject": request.POST.get("subject", "")}
            payload: SharingQualityIn = validate_form(SharingQualityIn, values)  # type: ignore[assignment]
            ticket = services.report_by_staff(
                actor=user,
                resource=resource,
                subject=payload.subject,
                fields=payload.fields,
                claimed_value=payload.claimed_value,
                reported_value=payload.reported_value,
                description=payload.description,
            )
        except DomainError as exc:
            return render(
                request,
                "sharing/quality_new.html",
                {**context, "error": error_context(exc)},
                status=exc.status,
            )
        flash.success(request, _("纠错已提交，提供部门将在期限内处理"))
        return redirect("sharing_quality:detail", ticket.public_id)
    return render(request, "sharing/quality_new.html", context)


def _staff_ticket(user: User, public_id: UUID) -> QualityTicket:
    ticket = staff_tickets(user).filter(public_id=public_id).first()
    if ticket is None:
        raise Http404
    return ticket


@staff_required
def quality_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = _user(request)
    ticket = _staff_ticket(user, public_id)
    return render(
        request,
        "sharing/quality_detail.html",
        {
            "ticket": ticket,
            "view": ticket_out(user, ticket, detail=True),
            "actions": ticket_actions(user, ticket),
            "base_backed": services.ticket_fixable_with_values(ticket),
        },
    )


@require_POST
@staff_required
def quality_action(request: HttpRequest, public_id: UUID, action: str) -> HttpResponse:
    user = _user(request)
    ticket = _staff_ticket(user, public_id)
    # 平台录入更正值 is the "fix" action done by entering the values (same permission)
    if (action if action != "fix_values" else "fix") not in ticket_actions(user, ticket):
        raise Http404
    text = request.POST.get("text", "")[:2000]
    try:
        if action == "accept":
            services.accept_ticket(ticket, actor=user)
        elif action == "fix_values":
            services.fix_ticket_with_values(
                ticket,
                actor=user,
                subject=request.POST.get("subject", "")[:18],
                values={
                    field: request.POST.get(f"value_{field}", "")[:500]
                    for field in ticket.fields
                    if request.POST.get(f"value_{field}", "").strip()
                },
                note=text,
            )
        elif action == "fix":
            services.fix_ticket(
                ticket,
                actor=user,
                note=text,
                batch_id=request.POST.get("batch_id", "")[:64],
                package_id=request.POST.get("package_id", "")[:64],
            )
        elif action == "reject":
            services.reject_ticket(ticket, actor=user, reason=text)
        else:
            services.comment_on_ticket(ticket, actor=user, body=text)
        flash.success(request, _("已保存"))
    except DomainError as exc:
        flash.error(request, exc.message)
    return redirect("sharing_quality:detail", ticket.public_id)


# --- applicants (my space) --------------------------------------------------------------------------
@applicant_required
@domain_errors
def my_quality(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    resources = _applicant_resources(user)
    resource = _chosen(resources, request)
    context: dict[str, Any] = {
        "tickets": list(applicant_tickets(user).order_by("-created_at", "pk")[:50]),
        "resources": resources,
        "resource": resource,
        "fields": published_fields(resource) if resource else [],
        "form": request.POST,
    }
    if request.method == "POST" and resource is not None:
        try:
            payload: SharingQualityMineIn = validate_form(
                SharingQualityMineIn, _form_values(request, resource)
            )  # type: ignore[assignment]
            ticket = services.report_by_applicant(
                actor=user,
                resource=resource,
                fields=payload.fields,
                claimed_value=payload.claimed_value,
                reported_value=payload.reported_value,
                description=payload.description,
            )
        except DomainError as exc:
            return render(
                request,
                "sharing/quality_mine.html",
                {**context, "error": error_context(exc)},
                status=exc.status,
            )
        flash.success(request, _("纠错已提交"))
        return redirect("sharing_quality_mine:detail", ticket.public_id)
    return render(request, "sharing/quality_mine.html", context)


@applicant_required
def my_quality_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = _user(request)
    ticket = applicant_tickets(user).filter(public_id=public_id).first()
    if ticket is None:
        raise Http404
    if request.method == "POST":
        try:
            services.comment_on_ticket(ticket, actor=user, body=request.POST.get("text", "")[:2000])
            flash.success(request, _("留言已发送"))
        except DomainError as exc:
            flash.error(request, exc.message)
        return redirect("sharing_quality_mine:detail", ticket.public_id)
    return render(
        request,
        "sharing/quality_mine_detail.html",
        {
            "ticket": ticket,
            "view": ticket_out(user, ticket, detail=True),
            "actions": ticket_actions(user, ticket),
            "base_backed": services.ticket_fixable_with_values(ticket),
        },
    )
