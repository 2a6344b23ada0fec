"""Case ↔ workflow bridge (流程驱动办件).

On acceptance (受理) a case starts its item's process (``ServiceItem.process_key``, default
``standard``) as a :class:`ProcessInstance` with subject ``cases.Case`` / the case public id and the
case number as reference, in the acceptance transaction (:mod:`yiwang.cases.services.process_steps`).
The process's own 受理 task is completed by the accepting clerk. When the process ends — the final
决定 task completed through :func:`yiwang.workflow.services.complete`, a joint refusal in the parallel
process, or a DMN 秒批 at start — the case is decided through
:func:`yiwang.cases.services.decision.decide_from_process` in the same transaction, so the case event
and the process state commit (or roll back) together.  This module connects those listeners.

Cases whose process definition is not deployed run without a process and are decided directly.
"""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseStatus
from yiwang.cases.services.access import get_case_for
from yiwang.cases.services.decision import decide_from_process
from yiwang.cases.services.process_steps import (
    ACCEPT_TASK,
    DECIDE_TASK,
    DEFAULT_PROCESS,
    SUBJECT_TYPE,
    process_of,
    variant_finishes_process,
    variant_is_finishing_process,
)
from yiwang.cases.signals import case_completed
from yiwang.core.errors import NotFound
from yiwang.workflow import services as workflow
from yiwang.workflow.models import ProcessInstance, ProcessStatus, WorkItem

__all__ = [
    "ACCEPT_TASK",
    "DECIDE_TASK",
    "DEFAULT_PROCESS",
    "SUBJECT_TYPE",
    "case_for_task_holder",
    "process_of",
    "variant_finishes_process",
]


def _on_task_completed(
    sender: Any, *, instance: ProcessInstance, item: WorkItem, user: User, result: dict[str, Any], **_: Any
) -> None:
    if instance.subject_type != SUBJECT_TYPE or instance.status != ProcessStatus.COMPLETED:
        return
    case = Case.objects.filter(public_id=instance.subject_id).first()
    if case is None or case.status != CaseStatus.ACCEPTED:
        return
    decide_from_process(case, instance, actor=user, result=result)


workflow.task_completed.connect(_on_task_completed, dispatch_uid="cases.process.task_completed")


def case_for_task_holder(user: User, public_id: Any) -> Case:
    """A case the staff member may see: in his data scope, or one whose process offers him (or he
    completed) a work item — e.g. a countersigning department (会签部门) of another organisation."""
    try:
        return get_case_for(user, public_id)
    except NotFound:
        case = (
            Case.objects.select_related("item", "handling_organisation").filter(public_id=public_id).first()
        )
        if case is None:
            raise
        items = WorkItem.objects.filter(
            instance__subject_type=SUBJECT_TYPE, instance__subject_id=str(case.public_id)
        ).select_related("organisation")
        for item in items:
            if item.assignee_id == user.pk or item.completed_by_id == user.pk:
                return case
            if item.status in workflow.OPEN_STATUSES and workflow.eligible(user, item):
                return case
        raise


def _on_case_completed(sender: Any, *, case: Case, actor: User | None, **_: Any) -> None:
    """A case completed outside its process (e.g. the direct decision API) ends the process too, so no
    work item stays in anyone's to-do list for a finished case."""
    if variant_is_finishing_process():
        return
    instance = process_of(case)
    if instance is not None and instance.status == ProcessStatus.RUNNING:
        workflow.terminate(instance, actor=actor, reason="办件已办结")


case_completed.connect(_on_case_completed, dispatch_uid="cases.process.case_completed")
