"""After every engine step: sync the work items with the engine's ready user tasks, record the
automatic decisions (DMN) and mark a finished process completed.  Runs inside the caller's
transaction, with the process instance locked."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.core import audit
from yiwang.core.models import Organisation
from yiwang.workflow import engine
from yiwang.workflow.models import (
    DecisionRecord,
    ProcessEvent,
    ProcessInstance,
    ProcessStatus,
    WorkItem,
    WorkItemStatus,
)

OPEN_STATUSES = (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED)


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data (dates and other objects as strings)."""
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def after_step(instance: ProcessInstance, workflow: Any, actor: User | None) -> None:
    """Sync work items with the engine's ready user tasks and record new automatic decisions."""
    sync_work_items(instance, workflow)
    record_decisions(instance, workflow)
    if workflow.is_completed() and instance.status == ProcessStatus.RUNNING:
        instance.status = ProcessStatus.COMPLETED
        instance.save(update_fields=["status", "updated_at"])
        ProcessEvent.objects.create(instance=instance, action="completed", actor=actor)


def sync_work_items(instance: ProcessInstance, workflow: Any) -> None:
    """Offer each newly ready user task as a work item; cancel items whose task went away."""
    ready = {task.task_id: task for task in engine.ready_user_tasks(workflow)}
    existing = {item.task_id: item for item in instance.work_items.filter(status__in=OPEN_STATUSES)}
    for task_id, item in existing.items():
        if task_id not in ready:  # e.g. a boundary event or termination took the task away
            item.status = WorkItemStatus.CANCELLED
            item.save(update_fields=["status", "updated_at"])
    due = instance.data.get("due_date") if isinstance(instance.data, dict) else None
    for task_id, task in ready.items():
        if task_id in existing or instance.work_items.filter(task_id=task_id).exists():
            continue
        organisation = department_of(task.department) or instance.organisation
        WorkItem.objects.create(
            instance=instance,
            task_id=task_id,
            task_name=task.element_id,
            title=task.title,
            role=task.role,
            organisation=organisation,
            due_date=date.fromisoformat(due) if isinstance(due, str) else None,
            department=(task.department or "")[:40],
            allow_batch=task.properties.get("batch_approve", "").lower() == "true",
        )


def record_decisions(instance: ProcessInstance, workflow: Any) -> None:
    """决策留痕: every DMN decision the engine took, once, with its inputs, outputs and rules."""
    recorded = set(instance.decisions.values_list("task_name", "decided_at"))
    known_tasks = {name for name, _ in recorded}
    for decision in engine.decisions(workflow):
        if f"{decision.element_id}:{decision.task_id}" in known_tasks:
            continue
        DecisionRecord.objects.create(
            instance=instance,
            task_name=f"{decision.element_id}:{decision.task_id}",
            decision_id=decision.decision_id,
            inputs=jsonable(decision.inputs),
            outputs=jsonable(decision.outputs),
            matched_rules=decision.matched_rules,
            decided_at=timezone.now(),
        )
        ProcessEvent.objects.create(
            instance=instance,
            action="decided",
            task_name=decision.element_id,
            detail=jsonable(decision.outputs),
        )
        audit.record(
            "workflow.auto_decision",
            obj=instance,
            detail={
                "decision": decision.decision_id,
                "inputs": decision.inputs,
                "outputs": decision.outputs,
                "rules": decision.matched_rules,
            },
        )


def department_of(credit_code: str | None) -> Organisation | None:
    """The organisation a BPMN lane's department names (credit code or short name), if any."""
    if not credit_code:
        return None
    return Organisation.objects.filter(Q(credit_code=credit_code) | Q(short_name=credit_code)).first()
