"""Pages of supervision under /workbench/supervision/: warnings (list with filters, detail with the
lifecycle actions), the rules with their versions, and red and yellow cards with appeals.  The
pages call the same services and ``allowed_actions`` as the API; the list filters use htmx."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.contrib import messages as flash
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import StaffRole, User
from yiwang.accounts.roles import in_scope_ids
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.core.paging import paginate
from yiwang.supervision import reads, services
from yiwang.supervision.actions import card_actions, is_staff, is_supervisor, rule_actions, warning_actions
from yiwang.supervision.errors import SupervisionErrorCode
from yiwang.supervision.models import (
    CardColour,
    RuleKind,
    SupervisionWarning,
    WarningLevel,
    WarningStatus,
)
from yiwang.web.ui import current_user, domain_errors, staff_required

PER_PAGE = 50


def _choice(raw: str, allowed: list[str]) -> str:
    return raw if raw in allowed else ""


@staff_required
def warning_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    level = _choice(request.GET.get("level", ""), WarningLevel.values)
    kind = _choice(request.GET.get("kind", ""), RuleKind.values)
    status = _choice(request.GET.get("status", "active"), [*WarningStatus.values, "active"])
    department = request.GET.get("department", "")[:36]
    try:
        department_id = UUID(department) if department else None
    except ValueError:
        department_id = None
    rows = reads.filtered_warnings(
        reads.visible_warnings(user), level=level, kind=kind, status=status, department=department_id
    )
    page = paginate(request.GET, rows, PER_PAGE)
    context = {
        "page": page,
        "level": level,
        "kind": kind,
        "status": status,
        "department": str(department_id or ""),
        "levels": WarningLevel.choices,
        "kinds": RuleKind.choices,
        "statuses": WarningStatus.choices,
        "departments": _departments(user),
    }
    template = (
        "supervision/_warning_rows.html" if request.headers.get("HX-Request") else "supervision/warnings.html"
    )
    return render(request, template, context)


def _departments(user: User) -> list[Organisation]:
    """The departments whose warnings and cards the user sees (for the filter and the card form)."""
    if not is_staff(user):
        return []
    own = Q(pk=user.staff_profile.organisation_id)
    if is_supervisor(user):
        own |= Q(pk__in=in_scope_ids(user, [StaffRole.SUPERVISOR]))
    return list(Organisation.objects.filter(own).order_by("name")[:200])


def _warning(user: User, warning_id: UUID) -> SupervisionWarning:
    w = reads.visible_warnings(user).filter(public_id=warning_id).first()
    if w is None:
        raise Http404(_("预警不存在"))
    return w


@staff_required
def warning_detail(request: HttpRequest, warning_id: UUID) -> HttpResponse:
    user = current_user(request)
    w = _warning(user, warning_id)
    return render(request, "supervision/warning_detail.html", {"w": w, "actions": warning_actions(user, w)})


WARNING_ACTIONS = {"acknowledge", "explain", "correct", "accept", "reject", "close"}


@require_POST
@staff_required
@domain_errors
def warning_act(request: HttpRequest, warning_id: UUID, action: str) -> HttpResponse:
    user = current_user(request)
    if action not in WARNING_ACTIONS:
        raise Http404(_("未知操作"))
    w = _warning(user, warning_id)
    text = request.POST.get("text", "")[:2000]
    try:
        if action == "acknowledge":
            services.acknowledge(w, actor=user)
        elif action == "explain":
            services.explain(w, actor=user, text=text)
        elif action == "correct":
            services.mark_corrected(w, actor=user, text=text)
        elif action in ("accept", "reject"):
            services.review_explanation(w, actor=user, accept=action == "accept", comment=text)
        else:
            services.close(w, actor=user, comment=text)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        flash.error(request, exc.message)
        return redirect("supervision:warning", warning_id=w.public_id)
    flash.success(request, _("已处理"))
    return redirect("supervision:warning", warning_id=w.public_id)


@staff_required
def rule_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(
        request,
        "supervision/rules.html",
        {"rules": list(reads.rules()[:200]), "may_edit": "edit" in rule_actions(user)},
    )


@staff_required
@domain_errors
def rule_detail(request: HttpRequest, rule_id: UUID) -> HttpResponse:
    user = current_user(request)
    rule = reads.rules().filter(public_id=rule_id).first()
    if rule is None:
        raise Http404(_("监察规则不存在"))
    may_edit = "edit" in rule_actions(user)
    if request.method == "POST":
        if not may_edit:
            raise DomainError(SupervisionErrorCode.FORBIDDEN, _("仅监察人员可维护监察规则"), status=403)
        thresholds = {key: request.POST.get(f"t_{key}", "") for key in rule.thresholds}
        try:
            services.update_rule(
                rule,
                actor=user,
                name=request.POST.get("name", rule.name),
                thresholds=thresholds,
                active=request.POST.get("active") == "on",
                comment=request.POST.get("comment", "")[:300],
            )
        except DomainError as exc:
            if exc.status == 403:
                raise
            flash.error(request, exc.message)
        else:
            flash.success(request, _("已保存为新版本"))
        return redirect("supervision:rule", rule_id=rule.public_id)
    return render(
        request,
        "supervision/rule_detail.html",
        {"rule": rule, "versions": list(rule.versions.order_by("-version")[:50]), "may_edit": may_edit},
    )


@staff_required
@domain_errors
def card_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        try:
            department_id = UUID(request.POST.get("department", "")[:36])
        except ValueError:
            raise Http404(_("部门不存在")) from None
        department = Organisation.objects.filter(public_id=department_id).first()
        if department is None:
            raise Http404(_("部门不存在"))
        try:
            services.issue_card(
                department,
                actor=user,
                colour=request.POST.get("colour", ""),
                period_start=date.fromisoformat(request.POST.get("period_start", "")[:10]),
                period_end=date.fromisoformat(request.POST.get("period_end", "")[:10]),
                reason=request.POST.get("reason", ""),
            )
        except ValueError:
            flash.error(request, _("日期格式不正确"))
        except DomainError as exc:
            if exc.status == 403:
                raise
            flash.error(request, exc.message)
        else:
            flash.success(request, _("已亮牌"))
        return redirect("supervision:cards")
    cards = reads.visible_cards(user).prefetch_related("appeals")
    page = paginate(request.GET, cards, PER_PAGE)
    rows = [(card, card_actions(user, card)) for card in page.object_list]
    return render(
        request,
        "supervision/cards.html",
        {
            "page": page,
            "rows": rows,
            "may_issue": is_supervisor(user),
            "departments": _departments(user),
            "colours": CardColour.choices,
        },
    )


CARD_ACTIONS = {"appeal", "uphold", "revoke", "confirm", "dismiss"}


@require_POST
@staff_required
@domain_errors
def card_act(request: HttpRequest, card_id: UUID, action: str) -> HttpResponse:
    user = current_user(request)
    if action not in CARD_ACTIONS:
        raise Http404(_("未知操作"))
    card = reads.visible_cards(user).filter(public_id=card_id).first()
    if card is None:
        raise Http404(_("红黄牌不存在"))
    text = request.POST.get("text", "")[:2000]
    try:
        if action == "appeal":
            services.file_appeal(card, actor=user, reasons=text)
        elif action in ("uphold", "revoke"):
            services.decide_appeal(card, actor=user, revoke=action == "revoke", comment=text)
        else:
            services.confirm_suggestion(card, actor=user, accept=action == "confirm")
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        flash.error(request, exc.message)
    else:
        flash.success(request, _("已处理"))
    return redirect("supervision:cards")
