"""Work queue (流程待办): to-do and done lists of workflow work items with filters, deadline colours,
claim / release / delegate / complete and batch actions, all through ``yiwang.workflow.services``."""

from __future__ import annotations

from typing import Any, Literal, TypeVar
from uuid import UUID

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import BaseModel

from yiwang.accounts.models import User
from yiwang.cases.work_queue import TaskFilters, case_clock, cases_of, filter_tasks
from yiwang.cases.work_queue_api import DelegateIn
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.paging import paginate
from yiwang.web.forms import parse_form
from yiwang.web.ui import current_user, domain_errors, safe_next, staff_required
from yiwang.workflow import services as workflow
from yiwang.workflow.models import WorkItem, WorkItemStatus

TASKS_PAGE_SIZE = 50
Form = TypeVar("Form", bound=BaseModel)


def filters_from(params: Any) -> TaskFilters:
    """The filters of the list from the query string (the schema the API uses, lenient)."""
    return parse_form(TaskFilters, params)


def decorate(items: list[WorkItem], *, user: User, with_candidates: bool = True) -> list[WorkItem]:
    """Attach the case (one query), the deadline colour and the delegation candidates (one query)."""
    cases = cases_of(items)
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
        item.clock = case_clock(item, case, today)  # type: ignore[attr-defined]
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
    qs = filter_tasks(base, filters, user=user)
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


class TaskDecisionForm(BaseModel):
    """办理 on the page: 同意 / 不同意 with a comment (the API takes ``approve`` as a boolean)."""

    decision: Literal["approve", "refuse"]
    comment: str = ""


def parse_choice(schema: type[Form], request: HttpRequest, message: str, field: str) -> Form:
    """``request.POST`` through ``schema``; a refusal names the one control to fix (``field``)."""
    try:
        return parse_form(schema, request.POST)
    except DomainError as exc:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, message, {field: [_("必选")]}) from exc


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
            target = parse_choice(DelegateIn, request, _("请选择转办对象"), "to")
            to = User.objects.filter(public_id=target.to).first()
            if to is None:
                raise DomainError(CoreErrorCode.VALIDATION_ERROR, _("请选择转办对象"), {"to": [_("必选")]})
            workflow.delegate(item, user=user, to=to)
            messages.success(request, _("已转办给 %(name)s") % {"name": _staff_name(to)})
        elif action == "complete":
            form = parse_choice(TaskDecisionForm, request, _("请选择同意或不同意"), "decision")
            workflow.decide(item, user=user, approve=form.decision == "approve", comment=form.comment)
            messages.success(request, _("已办理：%(t)s") % {"t": item.title})
        else:
            raise DomainError(CoreErrorCode.VALIDATION_ERROR, _("不支持的操作"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request)


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
