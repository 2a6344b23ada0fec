"""Running processes: start one, terminate it, or run it to its end when the case was decided
outside the user tasks.

The engine state lives in :class:`ProcessInstance.state`; every change loads it, advances it and
saves it back under a row lock, so two staff completing tasks of one process never lose an update.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from SpiffWorkflow.exceptions import WorkflowException

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError
from yiwang.core.models import Organisation
from yiwang.workflow import engine
from yiwang.workflow.errors import WorkflowErrorCode
from yiwang.workflow.models import (
    ProcessDefinition,
    ProcessEvent,
    ProcessInstance,
    ProcessStatus,
    WorkItemStatus,
)
from yiwang.workflow.services.steps import OPEN_STATUSES, after_step, jsonable


def start_process(
    definition: ProcessDefinition,
    *,
    organisation: Organisation,
    data: dict[str, Any] | None = None,
    subject_type: str = "",
    subject_id: str = "",
    reference: str = "",
    actor: User | None = None,
    due_date: date | None = None,
) -> ProcessInstance:
    """Start a process; user tasks that become ready are offered as work items at once."""
    payload = dict(data or {})
    if due_date is not None:
        payload["due_date"] = due_date.isoformat()
    try:
        workflow = engine.start(definition.bpmn_xml, definition.dmn_xml, definition.process_id, payload)
    except (WorkflowException, engine.DefinitionError) as exc:
        raise DomainError(WorkflowErrorCode.INVALID_DEFINITION, f"流程无法启动：{str(exc)[:300]}") from exc
    with transaction.atomic():
        instance = ProcessInstance.objects.create(
            definition=definition,
            organisation=organisation,
            subject_type=subject_type,
            subject_id=subject_id,
            reference=reference,
            state=engine.dumps(workflow),
            data=jsonable(engine.data_of(workflow) or payload),
            status=ProcessStatus.COMPLETED if workflow.is_completed() else ProcessStatus.RUNNING,
        )
        ProcessEvent.objects.create(
            instance=instance, action="started", actor=actor, detail={"definition": str(definition)}
        )
        after_step(instance, workflow, actor)
        audit.record(
            "workflow.started",
            actor=actor,
            obj=instance,
            detail={"definition": definition.key, "reference": reference},
        )
    return instance


def terminate(instance: ProcessInstance, *, actor: User | None, reason: str) -> ProcessInstance:
    """终止: stop a process (withdrawal, termination); open work items are cancelled."""
    with transaction.atomic():
        locked = ProcessInstance.objects.select_for_update().get(pk=instance.pk)
        if locked.status != ProcessStatus.RUNNING:
            raise Conflict("流程已结束", code=WorkflowErrorCode.WORK_ITEM_CLOSED)
        locked.status = ProcessStatus.TERMINATED
        locked.save(update_fields=["status", "updated_at"])
        locked.work_items.filter(status__in=OPEN_STATUSES).update(
            status=WorkItemStatus.CANCELLED, updated_at=timezone.now()
        )
        ProcessEvent.objects.create(
            instance=locked, action="terminated", actor=actor, detail={"reason": reason}
        )
        audit.record("workflow.terminated", actor=actor, obj=locked, detail={"reason": reason})
    return locked


def run_to_end(
    instance: ProcessInstance, *, actor: User | None, data: dict[str, Any], max_steps: int = 50
) -> ProcessInstance:
    """办结: the case was decided outside the user tasks (即办件, 告知承诺): complete every remaining
    user task with ``data`` on the actor's behalf so the process ends completed; a process that
    still cannot finish is terminated.  Must run inside the case transaction."""
    result = jsonable(data)
    with transaction.atomic():
        locked = ProcessInstance.objects.select_for_update().get(pk=instance.pk)
        if locked.status != ProcessStatus.RUNNING:
            return locked
        workflow = engine.loads(locked.state)
        for _ in range(max_steps):
            ready = engine.ready_user_tasks(workflow)
            if not ready or workflow.is_completed():
                break
            for task in ready:
                engine.complete(workflow, task.task_id, result)
                locked.work_items.filter(task_id=task.task_id, status__in=OPEN_STATUSES).update(
                    status=WorkItemStatus.COMPLETED,
                    completed_by=actor,
                    completed_at=timezone.now(),
                    result=result,
                    updated_at=timezone.now(),
                )
        locked.state = engine.dumps(workflow)
        locked.data = jsonable(engine.data_of(workflow) or {**locked.data, **result})
        locked.lock_version += 1
        locked.save(update_fields=["state", "data", "lock_version", "updated_at"])
        ProcessEvent.objects.create(instance=locked, action="run_to_end", actor=actor, detail=result)
        after_step(locked, workflow, actor)
        if locked.status == ProcessStatus.RUNNING:
            return terminate(locked, actor=actor, reason="办件已在流程外办结")
    return locked
