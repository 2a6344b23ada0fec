"""Work queue API (/api/v1/workflow/tasks…): 待办/已办 with filters, claim, release, delegate and
complete, each answered with the work item and the case it serves (number, item, applicant, clock).

It lives in cases because its rows show case facts; it is mounted at the workflow prefix beside
:mod:`yiwang.workflow.api` (definitions, batch), with the paths and operation ids it always had.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.cases.work_queue import TaskFilters, case_clock, case_of, cases_of, filter_tasks
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.paging import PageIn
from yiwang.workflow import services as workflow
from yiwang.workflow.api import staff_user
from yiwang.workflow.models import WorkItem

router = Router(tags=["workflow"])


def _op(name: str) -> str:
    """The operation id an endpoint had in ``workflow/api.py``."""
    return f"yiwang_workflow_api_{name}"


class TaskOut(Schema):
    id: UUID
    task: str
    title: str
    role: str
    organisation: str
    department: str
    status: str
    assignee: str | None
    delegated_by: str | None
    allow_batch: bool
    due_date: date | None
    clock: str | None = Field(None, description="due-ok | due-soon | due-overdue")
    case_id: UUID | None
    case_number: str
    item_name: str
    applicant_name: str
    completed_at: datetime | None
    result: dict[str, Any]


class TaskPageOut(Schema):
    items: list[TaskOut]
    count: int


class DelegateIn(Schema):
    to: UUID


class CompleteIn(Schema):
    approve: bool
    comment: str = Field("", max_length=1000)


def task_out(item: WorkItem, case: Case | None, today: date) -> TaskOut:
    clock = case_clock(item, case, today)
    return TaskOut(
        id=item.public_id,
        task=item.task_name,
        title=item.title,
        role=item.role,
        organisation=item.organisation.name,
        department=item.department,
        status=item.status,
        assignee=item.assignee.username if item.assignee_id and item.assignee else None,
        delegated_by=item.delegated_by.username if item.delegated_by_id and item.delegated_by else None,
        allow_batch=item.allow_batch,
        due_date=item.due_date,
        clock=clock["css"] if clock else None,
        case_id=case.public_id if case else None,
        case_number=item.instance.reference,
        item_name=case.item.name if case else "",
        applicant_name=case.applicant_name if case else "",
        completed_at=item.completed_at,
        result=item.result or {},
    )


@router.get(
    "/tasks",
    response=TaskPageOut,
    summary="Work queue (待办 / 已办) with filters",
    operation_id=_op("tasks"),
)
def tasks(
    request: HttpRequest,
    paging: Query[PageIn],
    done: bool = False,
    item: str = "",
    status: str = "",
    task: str = "",
    due_from: date | None = None,
    due_to: date | None = None,
    mine: str = "",
    q: str = "",
) -> TaskPageOut:
    user = staff_user(request)
    filters = TaskFilters(
        item=item, status=status, task=task, due_from=due_from, due_to=due_to, mine=mine, q=q
    )
    base = workflow.done(user) if done else workflow.todo(user)
    qs = filter_tasks(base, filters, user=user).select_related("delegated_by")
    page = list(paging.window(qs))
    cases = cases_of(page)
    today = timezone.localdate()
    return TaskPageOut(
        items=[task_out(i, cases.get(i.instance.reference), today) for i in page], count=qs.count()
    )


def _item(request: HttpRequest, task_id: UUID) -> tuple[User, WorkItem]:
    user = staff_user(request)
    return user, workflow.get_work_item(user, task_id)


def _one(item: WorkItem) -> TaskOut:
    item = WorkItem.objects.select_related("instance", "organisation", "assignee", "delegated_by").get(
        pk=item.pk
    )
    return task_out(item, case_of(item), timezone.localdate())


@router.post("/tasks/{task_id}/claim", response=TaskOut, summary="Claim (签收)", operation_id=_op("claim"))
def claim(request: HttpRequest, task_id: UUID) -> TaskOut:
    user, item = _item(request, task_id)
    return _one(workflow.claim(item, user=user))


@router.post(
    "/tasks/{task_id}/release", response=TaskOut, summary="Release (释放)", operation_id=_op("release")
)
def release(request: HttpRequest, task_id: UUID) -> TaskOut:
    user, item = _item(request, task_id)
    return _one(workflow.release(item, user=user))


@router.post(
    "/tasks/{task_id}/delegate", response=TaskOut, summary="Delegate (转办)", operation_id=_op("delegate")
)
def delegate(request: HttpRequest, task_id: UUID, payload: DelegateIn) -> TaskOut:
    user, item = _item(request, task_id)
    to = User.objects.filter(public_id=payload.to).first()
    if to is None:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "转办对象不存在", {"to": [str(payload.to)]})
    return _one(workflow.delegate(item, user=user, to=to))


@router.post(
    "/tasks/{task_id}/complete",
    response=TaskOut,
    summary="Complete with approve/refuse (办理)",
    operation_id=_op("complete"),
)
def complete(request: HttpRequest, task_id: UUID, payload: CompleteIn) -> TaskOut:
    user, item = _item(request, task_id)
    workflow.decide(item, user=user, approve=payload.approve, comment=payload.comment)
    return _one(item)
