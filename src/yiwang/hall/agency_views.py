"""帮办代办 in the workbench (/workbench/hall/agency/), for hall staff: the hall's authorisations
(principal masked; the unmasked view is logged), recording one with the signed letter, the detail
with revoke, and "apply on behalf" (帮办): the window registration form for the principal, the case
recorded on the authorisation.  Citizens (principal or agent) use the API (GET /api/v1/hall/agency)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import AgencyAuthorisation, AgencyKind, AgencyStatus, Hall
from yiwang.hall.services import agency as service
from yiwang.hall.services.console import form_data_from, form_nodes, hall_items
from yiwang.web.ui import current_user, domain_errors, staff_required


def _hall(request: HttpRequest, user: User) -> Hall:
    halls = service.staff_halls(user)
    if not halls:
        raise PermissionDenied(_("只有大厅工作人员可以办理代办授权"), code=HallErrorCode.FORBIDDEN)
    wanted = request.GET.get("hall") or request.POST.get("hall") or ""
    return next((h for h in halls if str(h.public_id) == wanted), halls[0])


def _authorisation(user: User, authorisation_id: UUID) -> AgencyAuthorisation:
    a = (
        AgencyAuthorisation.objects.select_related("hall", "agent", "recorded_by")
        .filter(public_id=authorisation_id)
        .first()
    )
    if a is None or "read_personal" not in service.allowed_actions(a, user):
        raise Http404(_("代办授权不存在"))
    return a


def _date(raw: str, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError as exc:
        raise DomainError(HallErrorCode.INVALID_INPUT, _("日期格式不正确"), {field: [raw[:20]]}) from exc


def _index_context(request: HttpRequest, user: User, hall: Hall) -> dict[str, Any]:
    service.expire_overdue()
    status = request.GET.get("status", "")
    rows = list(service.hall_authorisations(hall, status=status)[:100])
    unmask = request.GET.get("show") == "1"
    today = timezone.localdate()
    return {
        "hall": hall,
        "halls": service.staff_halls(user),
        "status": status if status in AgencyStatus.values else "",
        "statuses": AgencyStatus.choices,
        "kinds": AgencyKind.choices,
        "rows": list(zip(rows, service.shown_principal(user, rows, unmask=unmask), strict=True)),
        "items": list(hall_items(hall)[:300]),
        "today": today,
        "post": {
            "kind": AgencyKind.HELP,
            "principal_name": "",
            "principal_id_number": "",
            "principal_phone": "",
            "agent": "",
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=30)).isoformat(),
        },
        "errors": {},
        "error": "",
    }


@staff_required
@domain_errors
def index(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(request, "hall/agency/index.html", _index_context(request, user, _hall(request, user)))


@require_POST
@staff_required
@domain_errors
def record(request: HttpRequest) -> HttpResponse:
    """登记代办授权 (with the scanned authorisation letter)."""
    user = current_user(request)
    hall = _hall(request, user)
    post = request.POST
    kind = post.get("kind", "")[:10]
    try:
        agent = service.find_agent(kind, post.get("agent", ""), user)
        if agent is None:
            raise DomainError(HallErrorCode.INVALID_INPUT, _("未找到受托人账户"), {"agent": [_("未找到")]})
        a = service.record_authorisation(
            recorded_by=user,
            hall=hall,
            kind=kind,
            principal_name=post.get("principal_name", "")[:100],
            principal_id_number=post.get("principal_id_number", "")[:18],
            principal_phone=post.get("principal_phone", "")[:20],
            agent=agent,
            item_public_ids=post.getlist("items")[:60],
            valid_from=_date(post.get("valid_from", ""), "valid_from"),
            valid_until=_date(post.get("valid_until", ""), "valid_until"),
            evidence=request.FILES.get("evidence"),
        )
    except DomainError as exc:
        context = _index_context(request, user, hall)
        shown = {key: post.get(key, "")[:100] for key in context["post"]}
        context.update({"post": shown, "errors": exc.fields or {}, "error": exc.message})
        return render(request, "hall/agency/index.html", context, status=exc.status)
    messages.success(request, _("代办授权已登记。"))
    return redirect("hall_agency:detail", authorisation_id=a.public_id)


def _apply_items(a: AgencyAuthorisation) -> list[ServiceItem]:
    if a.hall is None:
        return []
    rows = hall_items(a.hall).prefetch_related("materials")
    listed = [str(i) for i in a.item_public_ids or []]
    if listed:
        rows = rows.filter(public_id__in=listed)
    return list(rows[:300])


@staff_required
@domain_errors
def detail(request: HttpRequest, authorisation_id: UUID) -> HttpResponse:
    user = current_user(request)
    a = _authorisation(user, authorisation_id)
    items = _apply_items(a) if a.agent_id == user.pk else []
    wanted = request.GET.get("item", "")
    selected = next((i for i in items if str(i.public_id) == wanted), None)
    return render(
        request,
        "hall/agency/detail.html",
        _detail_context(user, a, items, selected, unmask=request.GET.get("show") == "1"),
    )


def _detail_context(
    user: User,
    a: AgencyAuthorisation,
    items: list[ServiceItem],
    selected: ServiceItem | None,
    *,
    unmask: bool = False,
    errors: dict[str, Any] | None = None,
    error: str = "",
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    names = {str(i.public_id): i.name for i in items}
    cases = list(
        Case.objects.filter(public_id__in=[str(c) for c in a.case_public_ids or []])
        .order_by("-created_at")
        .values_list("number", flat=True)
    )
    return {
        "a": a,
        "person": service.shown_principal(user, [a], unmask=unmask)[0],
        "actions": service.allowed_actions(a, user),
        "effective": service.is_effective(a),
        "items": items,
        "listed": [names.get(str(i), str(i)) for i in a.item_public_ids or []],
        "selected": selected,
        "form_nodes": form_nodes(selected, values or {}, errors or {}) if selected is not None else [],
        "materials": list(selected.materials.all()) if selected is not None else [],
        "cases": cases,
        "errors": errors or {},
        "error": error,
    }


@require_POST
@staff_required
@domain_errors
def revoke(request: HttpRequest, authorisation_id: UUID) -> HttpResponse:
    user = current_user(request)
    service.revoke(
        authorisation=_authorisation(user, authorisation_id),
        actor=user,
        reason=request.POST.get("reason", "")[:200],
    )
    messages.success(request, _("代办授权已撤销。"))
    return redirect("hall_agency:detail", authorisation_id=authorisation_id)


@require_POST
@staff_required
@domain_errors
def apply(request: HttpRequest, authorisation_id: UUID) -> HttpResponse:
    """帮办 The window registration form for the principal, filed by the staff agent."""
    user = current_user(request)
    a = _authorisation(user, authorisation_id)
    items = _apply_items(a) if a.agent_id == user.pk else []
    selected = next((i for i in items if str(i.public_id) == request.POST.get("item", "")), None)
    if selected is None:
        raise DomainError(HallErrorCode.AGENCY_INVALID, _("该授权不包括此事项，或您不是帮办人"), status=403)
    form_data = form_data_from(selected, request.POST)
    files = {
        str(m.public_id): request.FILES.getlist(f"material_{m.public_id}")
        for m in selected.materials.all()
        if request.FILES.getlist(f"material_{m.public_id}")
    }
    try:
        case = service.apply_on_behalf(
            authorisation=a,
            agent=user,
            item=selected,
            form_data=form_data,
            files=files,
            delivery_method=request.POST.get("delivery_method", "window")[:20],
            idempotency_key=request.POST.get("idempotency_key", "")[:100],
        )
    except DomainError as exc:
        context = _detail_context(
            user, a, items, selected, errors=exc.fields, error=exc.message, values=form_data
        )
        return render(request, "hall/agency/detail.html", context, status=exc.status)
    messages.success(request, _("已代为登记，办件编号 %(number)s。") % {"number": case.number})
    return redirect("hall_agency:detail", authorisation_id=a.public_id)
