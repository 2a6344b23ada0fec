"""Workflow API (/api/v1/workflow): staff work queue (待办/已办 with filters, claim, release, delegate,
complete, batch) and process definitions (list, upload a new version, assign to an item)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.cases.models import Case
from yiwang.core.errors import CoreErrorCode, DomainError, PermissionDenied
from yiwang.core.paging import PageIn
from yiwang.workflow import services
from yiwang.workflow.models import WorkItem

router = Router(tags=["workflow"])


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


class BatchIn(Schema):
    action: Literal["claim", "release", "approve"]
    ids: list[UUID] = Field(..., min_length=1, max_length=200)
    comment: str = Field("", max_length=1000)


class BatchResultOut(Schema):
    id: str
    ok: bool
    message: str
    code: str


def _staff(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not staff_roles(user):
        raise PermissionDenied("仅工作人员可访问工作台")
    return user


def task_out(item: WorkItem, case: Case | None, today: date) -> TaskOut:
    from yiwang.workbench.task_views import case_clock

    clock = case_clock(item, case, today) if item.status in services.OPEN_STATUSES else None
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


@router.get("/tasks", response=TaskPageOut, summary="Work queue (待办 / 已办) with filters")
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
    from yiwang.workbench.task_views import filters_from

    user = _staff(request)
    params = {"item": item, "status": status, "task": task, "mine": mine, "q": q}
    params["due_from"] = due_from.isoformat() if due_from else ""
    params["due_to"] = due_to.isoformat() if due_to else ""
    qs = services.filter_tasks(
        services.done(user) if done else services.todo(user), filters_from(params), user=user
    ).select_related("delegated_by")
    page = list(paging.window(qs))
    numbers = {i.instance.reference for i in page if i.instance.reference}
    cases = {c.number: c for c in Case.objects.filter(number__in=numbers).select_related("item")}
    today = timezone.localdate()
    return TaskPageOut(
        items=[task_out(i, cases.get(i.instance.reference), today) for i in page], count=qs.count()
    )


def _item(request: HttpRequest, task_id: UUID) -> tuple[User, WorkItem]:
    user = _staff(request)
    return user, services.get_work_item(user, task_id)


def _one(item: WorkItem) -> TaskOut:
    item = WorkItem.objects.select_related("instance", "organisation", "assignee", "delegated_by").get(
        pk=item.pk
    )
    case = Case.objects.select_related("item").filter(number=item.instance.reference).first()
    return task_out(item, case, timezone.localdate())


@router.post("/tasks/{task_id}/claim", response=TaskOut, summary="Claim (签收)")
def claim(request: HttpRequest, task_id: UUID) -> TaskOut:
    user, item = _item(request, task_id)
    return _one(services.claim(item, user=user))


@router.post("/tasks/{task_id}/release", response=TaskOut, summary="Release (释放)")
def release(request: HttpRequest, task_id: UUID) -> TaskOut:
    user, item = _item(request, task_id)
    return _one(services.release(item, user=user))


@router.post("/tasks/{task_id}/delegate", response=TaskOut, summary="Delegate (转办)")
def delegate(request: HttpRequest, task_id: UUID, payload: DelegateIn) -> TaskOut:
    user, item = _item(request, task_id)
    to = User.objects.filter(public_id=payload.to).first()
    if to is None:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "转办对象不存在", {"to": [str(payload.to)]})
    return _one(services.delegate(item, user=user, to=to))


@router.post("/tasks/{task_id}/complete", response=TaskOut, summary="Complete with approve/refuse (办理)")
def complete(request: HttpRequest, task_id: UUID, payload: CompleteIn) -> TaskOut:
    user, item = _item(request, task_id)
    if not payload.approve and not payload.comment.strip():
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "不同意时必须说明理由", {"comment": ["必填"]})
    services.complete(
        item, user=user, data=services.approval_result(item, approve=payload.approve, comment=payload.comment)
    )
    return _one(item)


@router.post("/tasks/batch", response=list[BatchResultOut], summary="Batch claim / release / approve")
def batch(request: HttpRequest, payload: BatchIn) -> list[BatchResultOut]:
    user = _staff(request)
    results = services.batch(
        payload.action, [str(i) for i in payload.ids], user=user, comment=payload.comment
    )
    return [BatchResultOut(id=r.public_id, ok=r.ok, message=r.message, code=r.code) for r in results]


# --- process definitions (流程定义与变体) -------------------------------------------------------------
class DefinitionOut(Schema):
    id: UUID
    key: str
    version: int
    name: str
    process_id: str
    created_at: datetime


class DefinitionIn(Schema):
    key: str = Field(..., min_length=1, max_length=80)
    name: str = Field(..., min_length=1, max_length=200)
    bpmn_xml: str = Field(..., min_length=1, max_length=1_000_000)


class AssignIn(Schema):
    key: str = Field(..., min_length=1, max_length=80)


class AssignOut(Schema):
    item_id: UUID
    process_key: str


def _definition_out(d: Any) -> DefinitionOut:
    return DefinitionOut(
        id=d.public_id,
        key=d.key,
        version=d.version,
        name=d.name,
        process_id=d.process_id,
        created_at=d.created_at,
    )


@router.get("/definitions", response=list[DefinitionOut], summary="Process definitions, every version")
def definitions(request: HttpRequest, key: str = "") -> list[DefinitionOut]:
    from yiwang.accounts.staff import require_role
    from yiwang.workflow.models import ProcessDefinition

    require_role(_staff(request), "service_manager", "list_processes")
    qs = ProcessDefinition.objects.only("public_id", "key", "version", "name", "process_id", "created_at")
    if key:
        qs = qs.filter(key=key)
    return [_definition_out(d) for d in qs.order_by("key", "-version")[:500]]


@router.post("/definitions", response={201: DefinitionOut}, summary="Upload a process (new version)")
def upload_definition(request: HttpRequest, payload: DefinitionIn) -> Status[DefinitionOut]:
    definition = services.upload_variant(
        key=payload.key, name=payload.name, bpmn_xml=payload.bpmn_xml, actor=_staff(request)
    )
    return Status(201, _definition_out(definition))


@router.post("/items/{item_id}/process", response=AssignOut, summary="Assign a process to an item")
def assign(request: HttpRequest, item_id: UUID, payload: AssignIn) -> AssignOut:
    from yiwang.catalog.models import ServiceItem
    from yiwang.core.errors import NotFound

    user = _staff(request)
    item = ServiceItem.objects.filter(public_id=item_id).first()
    if item is None:
        raise NotFound("事项不存在")
    item = services.assign_process(item, key=payload.key, actor=user)
    return AssignOut(item_id=item.public_id, process_key=item.process_key or "")
