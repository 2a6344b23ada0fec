"""Work queue (流程待办): to-do and done lists of workflow work items with filters, deadline colours,
claim / release / delegate / complete and batch actions, all through ``yiwang.workflow.services``."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.catalog.models import ServiceItem
from yiwang.core import calendar
from yiwang.core.errors import DomainError
from yiwang.core.inputs import parse_day
from yiwang.core.paging import paginate
from yiwang.web.ui import current_user, domain_errors, safe_next, staff_required
from yiwang.workflow import services as workflow
from yiwang.workflow.models import WorkItem, WorkItemStatus

TASKS_PAGE_SIZE = 50
DUE_SOON_WORKING_DAYS = 3


# --- deadline colours (时限预警) ------------------------------------------------------------------
def clock_state(due: date | None, today: date) -> dict[str, str] | None:
    """绿 / 黄 / 红: on time, due within 3 working days, or overdue (working days, holidays and 调休)."""
    if due is None:
        return None
    if due < today:
        return {"css": "due-overdue", "label": _("已超期 %(n)d 天") % {"n": (today - due).days}}
    try:
        left = calendar.working_days_between(today, due)
    except DomainError:  # calendar year not loaded: count calendar days
        left = (due - today).days
    if left <= DUE_SOON_WORKING_DAYS:
        return {"css": "due-soon", "label": _("即将到期（剩 %(n)d 个工作日）") % {"n": left}}
    return {"css": "due-ok", "label": _("正常（剩 %(n)d 个工作日）") % {"n": left}}


def task_due(item: WorkItem, case: Case | None) -> date | None:
    """The earlier of the task's own deadline and the case's committed date (the case clock)."""
    dates = [d for d in (item.due_date, case.due_date if case is not None else None) if d is not None]
    return min(dates) if dates else None


def case_clock(item: WorkItem, case: Case | None, today: date) -> dict[str, str] | None:
    # The clock helper's flags on the case (due_soon / is_overdue), when present, win.
    if case is not None and getattr(case, "is_overdue", False) is True:
        return {"css": "due-overdue", "label": _("已超期")}
    return clock_state(task_due(item, case), today)


# --- filters ------------------------------------------------------------------------------------
def _date(value: str) -> date | None:
    return parse_day(value)


def filters_from(params: Any) -> workflow.TaskFilters:
    status = params.get("status", "")
    mine = params.get("mine", "")
    return workflow.TaskFilters(
        item=params.get("item", "").strip()[:40],
        status=status if status in (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED) else "",
        task=params.get("task", "").strip()[:64],
        due_from=_date(params.get("due_from", "")),
        due_to=_date(params.get("due_to", "")),
        mine=mine if mine in ("mine", "unclaimed") else "",
        q=params.get("q", "").strip()[:50],
    )


def decorate(items: list[WorkItem], *, user: User, with_candidates: bool = True) -> list[WorkItem]:
    """Attach the case (one query), the deadline colour and the delegation candidates (one query)."""
    numbers = {item.instance.reference for item in items if item.instance.reference}
    cases = {c.number: c for c in Case.objects.filter(number__in=numbers).select_related("item")}
    today = timezone.localdate()
    candidates: dict[tuple[int, str], list[User]] = {}
    pairs = {(item.organisation_id, item.role) for item in items if item.status != WorkItemStatus.COMPLETED}
    if with_candidates and pairs:
        condition = Q()
        for org_id, role in pairs:
            condition |= Q(staff_profile__organisation_id=org_id, staff_profile__roles__role=role)
        for staff in (
            User.objects.filter(condition, is_active=True)
            .exclude(pk=user.pk)
            .select_related("staff_profile")
            .prefetch_related("staff_profile__roles")
            .order_by("username")
            .distinct()
        ):
            for assignment in staff.staff_profile.roles.all():
                key = (staff.staff_profile.organisation_id, assignment.role)
                if key in pairs:
                    candidates.setdefault(key, []).append(staff)
    for item in items:
        case = cases.get(item.instance.reference)
        item.case = case  # type: ignore[attr-defined]
        item.clock = (  # type: ignore[attr-defined]
            case_clock(item, case, today) if item.status in workflow.OPEN_STATUSES else None
        )
        item.candidates = candidates.get((item.organisation_id, item.role), [])  # type: ignore[attr-defined]
        item.mine = item.assignee_id == user.pk  # type: ignore[attr-defined]
    return items


def _task_choices(user: User) -> dict[str, Any]:
    return {
        "statuses": [(WorkItemStatus.OPEN, _("待领取")), (WorkItemStatus.CLAIMED, _("办理中"))],
        "task_types": [
            ("accept", _("受理")),
            ("review", _("审查")),
            ("countersign", _("部门会签")),
            ("decide", _("决定")),
        ],
        "items": ServiceItem.objects.filter(implementing_body_id=user.staff_profile.organisation_id)
        .order_by("name")
        .values_list("public_id", "name")[:100],
    }


def task_list_context(request: HttpRequest, *, done: bool = False) -> dict[str, Any]:
    user = current_user(request)
    filters = filters_from(request.GET)
    base = workflow.done(user) if done else workflow.todo(user)
    qs = workflow.filter_tasks(base, filters, user=user)
    page_obj = paginate(request, qs, TASKS_PAGE_SIZE)
    items = decorate(list(page_obj.object_list), user=user, with_candidates=not done)
    return {
        "tasks": items,
        "task_page": page_obj,
        "filters": filters,
        "done_view": done,
        "list_url": reverse("workbench:tasks_done" if done else "workbench:tasks"),
        "page_query": _page_query(request),
    }


def _page_query(request: HttpRequest) -> str:
    """The current filters as a query string for the page links (without ``page``)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@staff_required
def tasks(request: HttpRequest) -> HttpResponse:
    """流程待办: the work items offered to me; htmx requests get only the rows."""
    context = task_list_context(request)
    if request.headers.get("HX-Request"):
        return render(request, "workbench/_task_rows.html", context)
    context.update(_task_choices(current_user(request)))
    return render(request, "workbench/tasks.html", context)


@staff_required
def tasks_done(request: HttpRequest) -> HttpResponse:
    """已办: the work items I completed."""
    context = task_list_context(request, done=True)
    if request.headers.get("HX-Request"):
        return render(request, "workbench/_task_rows.html", context)
    context.update(_task_choices(current_user(request)))
    return render(request, "workbench/tasks.html", context)


# --- actions ------------------------------------------------------------------------------------
def _back(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next(request, reverse("workbench:tasks")))


@require_POST
@staff_required
@domain_errors
def task_action(request: HttpRequest, public_id: UUID, action: str) -> HttpResponse:
    user = current_user(request)
    item = workflow.get_work_item(user, public_id)
    try:
        if action == "claim":
            workflow.claim(item, user=user)
            messages.success(request, _("已签收：%(t)s") % {"t": item.title})
        elif action == "release":
            workflow.release(item, user=user)
            messages.success(request, _("已释放回待领取：%(t)s") % {"t": item.title})
        elif action == "delegate":
            to_id = _uuid(request.POST.get("to", ""))
            to = User.objects.filter(public_id=to_id).first() if to_id else None
            if to is None:
                raise DomainError("validation_error", _("请选择转办对象"), {"to": [_("必选")]})
            workflow.delegate(item, user=user, to=to)
            messages.success(request, _("已转办给 %(name)s") % {"name": _staff_name(to)})
        elif action == "complete":
            decision = request.POST.get("decision", "")
            if decision not in ("approve", "refuse"):
                raise DomainError("validation_error", _("请选择同意或不同意"), {"decision": [_("必选")]})
            comment = request.POST.get("comment", "").strip()[:1000]
            if decision == "refuse" and not comment:
                raise DomainError("validation_error", _("不同意时必须说明理由"), {"comment": [_("必填")]})
            workflow.complete(
                item,
                user=user,
                data=workflow.approval_result(item, approve=decision == "approve", comment=comment),
            )
            messages.success(request, _("已办理：%(t)s") % {"t": item.title})
        else:
            raise DomainError("validation_error", _("不支持的操作"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request)


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def _staff_name(user: User) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.real_name if profile is not None else user.username


@require_POST
@staff_required
@domain_errors
def task_batch(request: HttpRequest) -> HttpResponse:
    """批量操作: every selected item in its own transaction, each result reported."""
    user = current_user(request)
    selected = request.POST.getlist("selected")[:200]
    if not selected:
        messages.error(request, _("请先勾选待办"))
        return _back(request)
    results = workflow.batch(
        request.POST.get("action", ""), selected, user=user, comment=request.POST.get("comment", "")[:1000]
    )
    for result in results:
        label = result.item.title if result.item is not None else result.public_id
        reference = result.item.instance.reference if result.item is not None else ""
        text = f"{reference} {label}：{result.message}".strip()
        (messages.success if result.ok else messages.error)(request, text)
    return _back(request)
