"""The case's workflow process (流程驱动办件), as the case services drive it: find it, start it on
acceptance, run it to the end or terminate it when a lifecycle variant decides or ends the case.

The other direction — the process deciding the case — is :mod:`yiwang.cases.process`, which
listens to the workflow's signals and calls :func:`yiwang.cases.services.decision.decide_from_process`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from yiwang.accounts.models import User
from yiwang.cases.models import Case
from yiwang.workflow import services as workflow
from yiwang.workflow.models import ProcessDefinition, ProcessInstance, ProcessStatus, WorkItemStatus

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


def start_process(case: Case, *, actor: User) -> ProcessInstance | None:
    """Start the item's process for an accepted case (inside the acceptance transaction) and
    complete its 受理 task with the acceptance.  A process that completed at once (秒批, the DMN
    decided without a human) is returned as it is: the caller decides the case from it."""
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
    if instance.status == ProcessStatus.COMPLETED:
        return instance
    accept = instance.work_items.filter(task_name=ACCEPT_TASK, status=WorkItemStatus.OPEN).first()
    if accept is not None:  # the case acceptance *is* the process's 受理 step
        instance = workflow.complete(accept, user=actor, data={"accepted": True})
    return instance


# Set while a lifecycle variant (即办件, 告知承诺) decides a case and then runs its process to the end
# itself: the completion listener (cases/process.py) must then leave the process alone.
_variant_finishes_process: ContextVar[bool] = ContextVar("variant_finishes_process", default=False)


@contextmanager
def variant_finishes_process() -> Iterator[None]:
    token = _variant_finishes_process.set(True)
    try:
        yield
    finally:
        _variant_finishes_process.reset(token)


def variant_is_finishing_process() -> bool:
    """True inside :func:`variant_finishes_process`."""
    return _variant_finishes_process.get()


def finish_process(case: Case, actor: User | None, data: dict[str, Any]) -> None:
    """Run the case's running process to its end (the case was decided by a variant)."""
    instance = process_of(case)
    if instance is not None and instance.status == ProcessStatus.RUNNING:
        workflow.run_to_end(instance, actor=actor, data=data)


def terminate_process(case: Case, actor: User | None, reason: str) -> None:
    """Terminate the case's running process (the case was withdrawn or terminated)."""
    instance = process_of(case)
    if instance is not None and instance.status == ProcessStatus.RUNNING:
        workflow.terminate(instance, actor=actor, reason=reason)
