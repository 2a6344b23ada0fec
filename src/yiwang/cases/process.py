"""Case ↔ workflow bridge (流程驱动办件).

On acceptance (受理) a case starts its item's process (``ServiceItem.process_key``, default
``standard``) as a :class:`ProcessInstance` with subject ``cases.Case`` / the case public id and the
case number as reference, in the acceptance transaction. The process's own 受理 task is completed
by the accepting clerk. When the process ends — the final 决定 task completed through
:func:`yiwang.workflow.services.complete`, a joint refusal in the parallel process, or a DMN
秒批 at start — the case is decided through :func:`yiwang.cases.services.decide_case` in the same
transaction, so the case event and the process state commit (or roll back) together.

Cases whose process definition is not deployed run without a process and are decided directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from yiwang.accounts.models import User
from yiwang.cases.models import Case, CaseStatus
from yiwang.workflow import services as workflow
from yiwang.workflow.models import ProcessDefinition, ProcessInstance, ProcessStatus, WorkItem, WorkItemStatus

SUBJECT_TYPE = "cases.Case"
DEFAULT_PROCESS = "standard"
ACCEPT_TASK = "accept"
DECIDE_TASK = "decide"


def process_of(case: Case) -> ProcessInstance | None:
    return (
        ProcessInstance.objects.filter(subject_type=SUBJECT_TYPE, subject_id=str(case.public_id))
        .order_by("-created_at")
        .first()
    )


def start_for_case(case: Case, *, actor: User) -> ProcessInstance | None:
    """Start the item's process for an accepted case; must run inside the acceptance transaction."""
    key = case.item.process_key or DEFAULT_PROCESS
    definition = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
    if definition is None:
        return None
    data: dict[str, Any] = {**(case.form_data or {}), "case_number": case.number}
    if case.item.process_departments:  # 并联审批: one countersign task per department
        data["departments"] = list(case.item.process_departments)
    instance = workflow.start_process(
        definition,
        organisation=case.handling_organisation,
        data=data,
        subject_type=SUBJECT_TYPE,
        subject_id=str(case.public_id),
        reference=case.number,
        actor=actor,
        due_date=case.due_date,
    )
    if instance.status == ProcessStatus.COMPLETED:  # 秒批: the DMN decided without a human
        _decide_from_process(case, instance, actor=None, result={})
        return instance
    accept = instance.work_items.filter(task_name=ACCEPT_TASK, status=WorkItemStatus.OPEN).first()
    if accept is not None:  # the case acceptance *is* the process's 受理 step
        instance = workflow.complete(accept, user=actor, data={"accepted": True})
    return instance


def _decide_from_process(
    case: Case, instance: ProcessInstance, *, actor: User | None, result: dict[str, Any]
) -> None:
    from yiwang.cases import services as case_services

    data = instance.data if isinstance(instance.data, dict) else {}
    event_data: dict[str, Any] = {"process": str(instance.public_id)}
    decision = instance.decisions.order_by("-decided_at", "-pk").first()
    if "approve" in result:
        approve = bool(result["approve"])
        comment = str(result.get("comment") or "")
        if not approve and not comment:
            comment = "经审查，不符合条件"
    elif data.get("any_refused"):
        approve = False
        reasons = [
            f"{o.get('department')}：{o.get('comment') or '不同意'}"
            for o in data.get("opinions") or []
            if not (o or {}).get("agree", False)
        ]
        comment = "联合审批不予许可。" + "；".join(reasons)
        event_data["refusing_departments"] = data.get("refusing_departments") or []
    elif decision is not None and decision.outputs.get("auto_approve") is True:
        approve = True
        comment = str(decision.outputs.get("auto_reason") or "符合秒批规则")
    else:
        return
    if decision is not None:
        event_data["decision_record"] = decision.pk
        event_data["rules"] = [r.get("id") for r in decision.matched_rules or []]
        event_data["inputs"] = decision.inputs
    case_services.decide_case(case, actor=actor, approve=approve, comment=comment, process_data=event_data)


def _on_task_completed(
    sender: Any, *, instance: ProcessInstance, item: WorkItem, user: User, result: dict[str, Any], **_: Any
) -> None:
    if instance.subject_type != SUBJECT_TYPE or instance.status != ProcessStatus.COMPLETED:
        return
    case = Case.objects.filter(public_id=instance.subject_id).first()
    if case is None or case.status != CaseStatus.ACCEPTED:
        return
    _decide_from_process(case, instance, actor=user, result=result)


workflow.task_completed.connect(_on_task_completed, dispatch_uid="cases.process.task_completed")


def case_for_task_holder(user: User, public_id: Any) -> Case:
    """A case the staff member may see: in his data scope, or one whose process offers him (or he
    completed) a work item — e.g. a countersigning department (会签部门) of another organisation."""
    from yiwang.cases.services import get_case_for
    from yiwang.core.errors import NotFound

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


# Set while a lifecycle variant (即办件, 告知承诺) decides a case and then runs its process to the end
# itself: the completion listener below must then leave the process alone.
_variant_finishes_process: ContextVar[bool] = ContextVar("variant_finishes_process", default=False)


@contextmanager
def variant_finishes_process() -> Iterator[None]:
    token = _variant_finishes_process.set(True)
    try:
        yield
    finally:
        _variant_finishes_process.reset(token)


def _on_case_completed(sender: Any, *, case: Case, actor: User | None, **_: Any) -> None:
    """A case completed outside its process (e.g. the direct decision API) ends the process too, so no
    work item stays in anyone's to-do list for a finished case."""
    if _variant_finishes_process.get():
        return
    instance = process_of(case)
    if instance is not None and instance.status == ProcessStatus.RUNNING:
        workflow.terminate(instance, actor=actor, reason="办件已办结")


def _connect_case_completed() -> None:
    from yiwang.cases.signals import case_completed

    case_completed.connect(_on_case_completed, dispatch_uid="cases.process.case_completed")


_connect_case_completed()
