"""Workflow API (/api/v1/workflow): batch actions on work items and process definitions (list,
upload a new version, assign to an item).  The work queue rows, which show the case each item
serves, are answered by :mod:`yiwang.cases.work_queue_api` at the same prefix."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.accounts.staff import require_role
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.workflow import services
from yiwang.workflow.models import ProcessDefinition

router = Router(tags=["workflow"])


class BatchIn(Schema):
    action: Literal["claim", "release", "approve"]
    ids: list[UUID] = Field(..., min_length=1, max_length=200)
    comment: str = Field("", max_length=1000)


class BatchResultOut(Schema):
    id: str
    ok: bool
    message: str
    code: str


def staff_user(request: HttpRequest) -> User:
    """The caller, if he holds a staff role; anyone else is refused (403)."""
    user: User = request.user  # type: ignore[assignment]
    if not staff_roles(user):
        raise PermissionDenied("仅工作人员可访问工作台")
    return user


@router.post("/tasks/batch", response=list[BatchResultOut], summary="Batch claim / release / approve")
def batch(request: HttpRequest, payload: BatchIn) -> list[BatchResultOut]:
    user = staff_user(request)
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
    require_role(staff_user(request), "service_manager", "list_processes")
    qs = ProcessDefinition.objects.only("public_id", "key", "version", "name", "process_id", "created_at")
    if key:
        qs = qs.filter(key=key)
    return [_definition_out(d) for d in qs.order_by("key", "-version")[:500]]


@router.post("/definitions", response={201: DefinitionOut}, summary="Upload a process (new version)")
def upload_definition(request: HttpRequest, payload: DefinitionIn) -> Status[DefinitionOut]:
    definition = services.upload_variant(
        key=payload.key, name=payload.name, bpmn_xml=payload.bpmn_xml, actor=staff_user(request)
    )
    return Status(201, _definition_out(definition))


@router.post("/items/{item_id}/process", response=AssignOut, summary="Assign a process to an item")
def assign(request: HttpRequest, item_id: UUID, payload: AssignIn) -> AssignOut:
    user = staff_user(request)
    item = ServiceItem.objects.filter(public_id=item_id).first()
    if item is None:
        raise NotFound("事项不存在")
    item = services.assign_process(item, key=payload.key, actor=user)
    return AssignOut(item_id=item.public_id, process_key=item.process_key or "")
