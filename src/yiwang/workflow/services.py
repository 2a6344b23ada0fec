"""Workflow services: deploy definitions, start processes, offer user tasks as work items to staff
by role and department, claim/release/delegate/complete them, and record automatic decisions.

The engine state lives in :class:`ProcessInstance.state`; every change loads it, advances it and
saves it back under a row lock, so two staff completing tasks of one process never lose an update.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from SpiffWorkflow.exceptions import WorkflowException

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.workflow import engine
from yiwang.workflow.errors import WorkflowErrorCode
from yiwang.workflow.models import (
    DecisionRecord,
    ProcessDefinition,
    ProcessEvent,
    ProcessInstance,
    ProcessStatus,
    WorkItem,
    WorkItemStatus,
)

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
DEFAULT_DEFINITIONS = (
    ("standard", "标准审批流程（受理 → 审查 → 决定 → 办结）", "standard_process", "standard.bpmn", ""),
    ("parallel", "并联审批流程（多部门会签）", "parallel_process", "parallel.bpmn", ""),
    (
        "auto_approval",
        "秒批流程（规则判定，不满足转人工）",
        "auto_process",
        "auto_approval.bpmn",
        "auto_approval.dmn",
    ),
)
OPEN_STATUSES = (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED)

# Sent inside the transaction of :func:`complete`, after the engine state is saved, with
# ``instance``, ``item``, ``user`` and ``result``; receivers (e.g. the case bridge) apply the
# business effect of the step in the same transaction, so an error rolls both back.
task_completed = Signal()


# --- definitions ---------------------------------------------------------------------------------
def deploy_definition(
    *, key: str, name: str, process_id: str, bpmn_xml: str, dmn_xml: str = "", actor: User | None = None
) -> ProcessDefinition:
    """Validate and store a new version; an identical latest version is returned unchanged."""
    try:
        engine.validate(bpmn_xml, dmn_xml, process_id)
    except engine.DefinitionError as exc:
        raise DomainError(
            WorkflowErrorCode.INVALID_DEFINITION, f"流程定义无效：{exc}", {"bpmn_xml": [str(exc)[:300]]}
        ) from exc
    with transaction.atomic():
        latest = ProcessDefinition.objects.select_for_update().filter(key=key).order_by("-version").first()
        if latest and (latest.bpmn_xml, latest.dmn_xml, latest.process_id) == (bpmn_xml, dmn_xml, process_id):
            return latest
        definition = ProcessDefinition.objects.create(
            key=key,
            version=(latest.version + 1) if latest else 1,
            name=name,
            process_id=process_id,
            bpmn_xml=bpmn_xml,
            dmn_xml=dmn_xml,
            created_by=actor,
        )
        audit.record(
            "workflow.definition_deployed",
            actor=actor,
            obj=definition,
            detail={"key": key, "version": definition.version},
        )
    return definition


def install_default_definitions() -> list[ProcessDefinition]:
    """The standard, parallel and rule-based processes shipped with the platform (idempotent)."""
    deployed = []
    for key, name, process_id, bpmn_file, dmn_file in DEFAULT_DEFINITIONS:
        bpmn = (DEFINITIONS_DIR / bpmn_file).read_text(encoding="utf-8")
        dmn = (DEFINITIONS_DIR / dmn_file).read_text(encoding="utf-8") if dmn_file else ""
        deployed.append(
            deploy_definition(key=key, name=name, process_id=process_id, bpmn_xml=bpmn, dmn_xml=dmn)
        )
    return deployed


def latest_definition(key: str) -> ProcessDefinition:
    definition = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
    if definition is None:
        raise NotFound(f"流程定义“{key}”不存在", code=WorkflowErrorCode.DEFINITION_NOT_FOUND)
    return definition


# --- running processes ---------------------------------------------------------------------------
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
            data=_jsonable(engine.data_of(workflow) or payload),
            status=ProcessStatus.COMPLETED if workflow.is_completed() else ProcessStatus.RUNNING,
        )
        ProcessEvent.objects.create(
            instance=instance, action="started", actor=actor, detail={"definition": str(definition)}
        )
        _after_step(instance, workflow, actor)
        audit.record(
            "workflow.started",
            actor=actor,
            obj=instance,
            detail={"definition": definition.key, "reference": reference},
        )
    return instance


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def _after_step(instance: ProcessInstance, workflow: Any, actor: User | None) -> None:
    """Sync work items with the engine's ready user tasks and record new automatic decisions."""
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
        organisation = _department(task.department) or instance.organisation
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
    recorded = set(instance.decisions.values_list("task_name", "decided_at"))
    known_tasks = {name for name, _ in recorded}
    for decision in engine.decisions(workflow):
        if f"{decision.element_id}:{decision.task_id}" in known_tasks:
            continue
        DecisionRecord.objects.create(
            instance=instance,
            task_name=f"{decision.element_id}:{decision.task_id}",
            decision_id=decision.decision_id,
            inputs=_jsonable(decision.inputs),
            outputs=_jsonable(decision.outputs),
            matched_rules=decision.matched_rules,
            decided_at=timezone.now(),
        )
        ProcessEvent.objects.create(
            instance=instance,
            action="decided",
            task_name=decision.element_id,
            detail=_jsonable(decision.outputs),
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
    if workflow.is_completed() and instance.status == ProcessStatus.RUNNING:
        instance.status = ProcessStatus.COMPLETED
        instance.save(update_fields=["status", "updated_at"])
        ProcessEvent.objects.create(instance=instance, action="completed", actor=actor)


def _department(credit_code: str | None) -> Organisation | None:
    if not credit_code:
        return None
    return Organisation.objects.filter(Q(credit_code=credit_code) | Q(short_name=credit_code)).first()


# --- staff work items ----------------------------------------------------------------------------
def _offer_condition(user: User) -> Q | None:
    """分派规则: which open work items are offered to the user — role + department + region.

    An item is offered to staff holding its role (the BPMN lane) in its organisation; a role granted
    with the 本行政区划及下级 data scope also covers the organisations of the staff member's region
    and its subordinate regions.
    """
    from yiwang.accounts.models import DataScope
    from yiwang.accounts.staff import _region_prefix, assignments_of

    assignments = assignments_of(user)
    profile = getattr(user, "staff_profile", None)
    if not assignments or profile is None:
        return None
    department_roles = sorted({a.role for a in assignments})
    condition = Q(organisation_id=profile.organisation_id, role__in=department_roles)
    region_roles = sorted({a.role for a in assignments if a.scope == DataScope.REGION})
    if region_roles:
        prefix = _region_prefix(profile.organisation.region)
        condition |= Q(role__in=region_roles, organisation__region__full_code__startswith=prefix)
    return condition


def eligible(user: User, item: WorkItem) -> bool:
    """Staff holding the work item's role (the BPMN lane) with its organisation in that role's scope."""
    from yiwang.accounts.staff import in_scope

    if not hasattr(user, "staff_profile") or item.role not in staff_roles(user):
        return False
    return in_scope(user, item.organisation_id, [item.role])


def todo(user: User) -> QuerySet[WorkItem]:
    """待办: open items offered to me (role + department + region) and items claimed by or delegated to me."""
    condition = _offer_condition(user)
    if condition is None:
        return WorkItem.objects.none()
    return (
        WorkItem.objects.filter(
            (Q(status=WorkItemStatus.OPEN) & condition) | Q(status=WorkItemStatus.CLAIMED, assignee=user)
        )
        .select_related("instance__definition", "organisation", "assignee", "delegated_by")
        .order_by(F("due_date").asc(nulls_last=True), "created_at")
    )


def done(user: User) -> QuerySet[WorkItem]:
    """已办: what I completed."""
    return (
        WorkItem.objects.filter(status=WorkItemStatus.COMPLETED, completed_by=user)
        .select_related("instance__definition", "organisation")
        .order_by("-completed_at")
    )


@dataclass(frozen=True)
class TaskFilters:
    """待办筛选 Filters of the to-do and done lists (the workbench page and the API share them)."""

    item: str = ""  # ServiceItem public id
    status: str = ""  # open | claimed
    task: str = ""  # BPMN element id (task type)
    due_from: date | None = None
    due_to: date | None = None
    mine: str = ""  # "mine": claimed by me, "unclaimed": open
    q: str = ""  # case number or applicant name

    @property
    def active(self) -> bool:
        return any((self.item, self.status, self.task, self.due_from, self.due_to, self.mine, self.q))


def filter_tasks(qs: QuerySet[WorkItem], filters: TaskFilters, *, user: User) -> QuerySet[WorkItem]:
    """Apply :class:`TaskFilters`; case facts (item, applicant) are matched through the case number."""
    from yiwang.cases.models import Case

    if filters.status in (WorkItemStatus.OPEN, WorkItemStatus.CLAIMED):
        qs = qs.filter(status=filters.status)
    if filters.task:
        qs = qs.filter(task_name=filters.task)
    if filters.due_from:
        qs = qs.filter(due_date__gte=filters.due_from)
    if filters.due_to:
        qs = qs.filter(due_date__lte=filters.due_to)
    if filters.mine == "mine":
        qs = qs.filter(assignee=user)
    elif filters.mine == "unclaimed":
        qs = qs.filter(status=WorkItemStatus.OPEN)
    if filters.item:
        try:
            item_id = UUID(filters.item)
        except ValueError:
            return qs.none()
        qs = qs.filter(instance__reference__in=Case.objects.filter(item__public_id=item_id).values("number"))
    if filters.q:
        term = filters.q.strip()[:50]
        qs = qs.filter(
            Q(instance__reference__icontains=term)
            | Q(instance__reference__in=Case.objects.filter(applicant_name__icontains=term).values("number"))
        )
    return qs


def get_work_item(user: User, public_id: Any) -> WorkItem:
    """A work item the user may act on or completed; any other is reported as not found."""
    try:
        item = WorkItem.objects.select_related("instance__definition", "organisation", "assignee").get(
            public_id=public_id
        )
    except (WorkItem.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("待办不存在", code=WorkflowErrorCode.WORK_ITEM_NOT_FOUND) from exc
    if item.assignee_id == user.pk or item.completed_by_id == user.pk or eligible(user, item):
        return item
    raise NotFound("待办不存在", code=WorkflowErrorCode.WORK_ITEM_NOT_FOUND)


def delegation_candidates(item: WorkItem, *, exclude: User | None = None) -> QuerySet[User]:
    """转办对象: active staff of the item's organisation holding its role."""
    qs = User.objects.filter(
        is_active=True,
        staff_profile__organisation_id=item.organisation_id,
        staff_profile__roles__role=item.role,
    ).select_related("staff_profile")
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.order_by("username")


def approval_result(item: WorkItem, *, approve: bool, comment: str = "") -> dict[str, Any]:
    """The result data of an approve/refuse on a user task: a 会签 opinion for a department's task,
    otherwise ``approve`` + ``comment`` (what the 决定 task and the case bridge read)."""
    comment = (comment or "").strip()[:1000]
    if item.department:
        return {"opinion": {"department": item.department, "agree": approve, "comment": comment}}
    return {"approve": approve, "comment": comment}


def _locked_item(item: WorkItem) -> WorkItem:
    locked = WorkItem.objects.select_for_update().select_related("instance").get(pk=item.pk)
    if locked.status not in OPEN_STATUSES:
        raise Conflict("该待办已办结或已取消", code=WorkflowErrorCode.WORK_ITEM_CLOSED)
    return locked


def claim(item: WorkItem, *, user: User) -> WorkItem:
    """签收: take an open item so colleagues see it is being handled."""
    with transaction.atomic():
        locked = _locked_item(item)
        if not eligible(user, locked):
            raise PermissionDenied("您不能办理该待办（角色或部门不符）", code=WorkflowErrorCode.NOT_ELIGIBLE)
        if locked.status == WorkItemStatus.CLAIMED and locked.assignee_id != user.pk:
            raise Conflict("该待办已被他人签收", code=WorkflowErrorCode.WORK_ITEM_TAKEN)
        locked.status = WorkItemStatus.CLAIMED
        locked.assignee = user
        locked.save(update_fields=["status", "assignee", "updated_at"])
        ProcessEvent.objects.create(
            instance=locked.instance, action="claimed", task_name=locked.task_name, actor=user
        )
        audit.record("workflow.claimed", actor=user, obj=locked)
    return locked


def release(item: WorkItem, *, user: User) -> WorkItem:
    """退回待领: give a claimed item back to the pool."""
    with transaction.atomic():
        locked = _locked_item(item)
        if locked.assignee_id != user.pk:
            raise PermissionDenied("只能释放本人签收的待办", code=WorkflowErrorCode.NOT_ELIGIBLE)
        locked.status = WorkItemStatus.OPEN
        locked.assignee = None
        locked.save(update_fields=["status", "assignee", "updated_at"])
        ProcessEvent.objects.create(
            instance=locked.instance, action="released", task_name=locked.task_name, actor=user
        )
        audit.record("workflow.released", actor=user, obj=locked)
    return locked


def delegate(item: WorkItem, *, user: User, to: User) -> WorkItem:
    """转办: hand an item to an eligible colleague."""
    with transaction.atomic():
        locked = _locked_item(item)
        if not eligible(user, locked) or (locked.assignee_id not in (None, user.pk)):
            raise PermissionDenied("您不能转办该待办", code=WorkflowErrorCode.NOT_ELIGIBLE)
        if not eligible(to, locked):
            raise DomainError(
                WorkflowErrorCode.NOT_ELIGIBLE,
                "转办对象须为同部门、同角色的工作人员",
                {"to": [to.username]},
                status=403,
            )
        locked.status = WorkItemStatus.CLAIMED
        locked.assignee = to
        locked.delegated_by = user
        locked.save(update_fields=["status", "assignee", "delegated_by", "updated_at"])
        ProcessEvent.objects.create(
            instance=locked.instance,
            action="delegated",
            task_name=locked.task_name,
            actor=user,
            detail={"to": to.username},
        )
        audit.record("workflow.delegated", actor=user, obj=locked, detail={"to": to.username})
    return locked


def complete(item: WorkItem, *, user: User, data: dict[str, Any] | None = None) -> ProcessInstance:
    """办理: finish the user task with its result data; the process moves on."""
    result = _jsonable(data or {})
    with transaction.atomic():
        locked = _locked_item(item)
        if not eligible(user, locked):
            raise PermissionDenied("您不能办理该待办（角色或部门不符）", code=WorkflowErrorCode.NOT_ELIGIBLE)
        if locked.status == WorkItemStatus.CLAIMED and locked.assignee_id != user.pk:
            raise Conflict("该待办已被他人签收", code=WorkflowErrorCode.WORK_ITEM_TAKEN)
        instance = ProcessInstance.objects.select_for_update().get(pk=locked.instance_id)
        workflow = engine.loads(instance.state)
        try:
            engine.complete(workflow, locked.task_id, result)
        except WorkflowException as exc:
            raise Conflict(f"流程状态已变化：{str(exc)[:200]}", code=WorkflowErrorCode.STALE_PROCESS) from exc
        locked.status = WorkItemStatus.COMPLETED
        locked.completed_by = user
        locked.completed_at = timezone.now()
        locked.result = result
        locked.save(update_fields=["status", "completed_by", "completed_at", "result", "updated_at"])
        instance.state = engine.dumps(workflow)
        instance.data = _jsonable(engine.data_of(workflow) or {**instance.data, **result})
        instance.lock_version += 1
        instance.save(update_fields=["state", "data", "lock_version", "updated_at"])
        ProcessEvent.objects.create(
            instance=instance, action="task_completed", task_name=locked.task_name, actor=user, detail=result
        )
        _after_step(instance, workflow, user)
        audit.record("workflow.task_completed", actor=user, obj=locked, detail={"task": locked.task_name})
        task_completed.send(sender=ProcessInstance, instance=instance, item=locked, user=user, result=result)
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
    result = _jsonable(data)
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
        locked.data = _jsonable(engine.data_of(workflow) or {**locked.data, **result})
        locked.lock_version += 1
        locked.save(update_fields=["state", "data", "lock_version", "updated_at"])
        ProcessEvent.objects.create(instance=locked, action="run_to_end", actor=actor, detail=result)
        _after_step(locked, workflow, actor)
        if locked.status == ProcessStatus.RUNNING:
            return terminate(locked, actor=actor, reason="办件已在流程外办结")
    return locked


# --- batch actions (批量操作) ----------------------------------------------------------------------
BATCH_ACTIONS = ("claim", "release", "approve")


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one work item in a batch: each item is its own transaction."""

    item: WorkItem | None
    public_id: str
    ok: bool
    message: str
    code: str = ""


def batch(action: str, public_ids: list[str], *, user: User, comment: str = "") -> list[BatchResult]:
    """批量签收 / 批量释放 / 批量审批: run one action over many work items.

    Each item runs through the same service function as a single action, in its own transaction,
    so one refusal (taken by a colleague, not batch-approvable, ...) never undoes the others; the
    result for every item is reported.
    """
    if action not in BATCH_ACTIONS:
        raise DomainError(WorkflowErrorCode.BATCH_NOT_ALLOWED, "不支持的批量操作", {"action": [action]})
    results: list[BatchResult] = []
    for public_id in dict.fromkeys(str(p) for p in public_ids):
        item: WorkItem | None = None
        try:
            item = get_work_item(user, public_id)
            if action == "claim":
                claim(item, user=user)
                message = "已签收"
            elif action == "release":
                release(item, user=user)
                message = "已释放"
            else:
                if not item.allow_batch:
                    raise DomainError(
                        WorkflowErrorCode.BATCH_NOT_ALLOWED, "该环节不允许批量审批，请逐件办理", status=409
                    )
                complete(item, user=user, data=approval_result(item, approve=True, comment=comment or "同意"))
                message = "已审批通过"
        except DomainError as exc:
            results.append(
                BatchResult(item=item, public_id=public_id, ok=False, message=exc.message, code=exc.code)
            )
        else:
            results.append(BatchResult(item=item, public_id=public_id, ok=True, message=message))
    return results


# --- process variants (流程变体): upload, validate, assign to an item ----------------------------------
MAX_BPMN_BYTES = 1_000_000
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# The case bridge (cases/process.py) needs a decision by a person holding one of these roles, or a
# business-rule task that decides on its own (秒批).
DECIDING_ROLES = {"approver"}


def inspect_bpmn(bpmn_xml: str) -> tuple[str, dict[str, str]]:
    """The executable process id and ``{user task id: lane name}`` of a BPMN document.

    Refuses DTDs/entities (no XXE) and oversized input; raises :class:`engine.DefinitionError`.
    """
    from lxml import etree

    if len(bpmn_xml.encode()) > MAX_BPMN_BYTES:
        raise engine.DefinitionError("BPMN 文件过大（上限 1 MB）")
    if "<!DOCTYPE" in bpmn_xml.upper() or "<!ENTITY" in bpmn_xml.upper():
        raise engine.DefinitionError("BPMN 不得包含 DOCTYPE 或实体声明")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(bpmn_xml.encode(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise engine.DefinitionError(f"XML 格式错误：{exc}") from exc
    processes = [p for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("isExecutable") == "true"]
    if len(processes) != 1:
        raise engine.DefinitionError('须有且仅有一个可执行流程（isExecutable="true"）')
    process = processes[0]
    lanes: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.iter(f"{{{BPMN_NS}}}flowNodeRef"):
            lanes[(ref.text or "").strip()] = lane.get("name", "")
    tasks = {t.get("id", ""): lanes.get(t.get("id", ""), "") for t in process.iter(f"{{{BPMN_NS}}}userTask")}
    return str(process.get("id", "")), tasks


def check_roles(bpmn_xml: str) -> str:
    """The lane rules the case bridge relies on: every user task in a lane naming a staff role, and a
    decision (a user task in the approver lane, or a business-rule task). Returns the process id."""
    from yiwang.accounts.models import StaffRole

    try:
        process_id, tasks = inspect_bpmn(bpmn_xml)
    except engine.DefinitionError as exc:
        raise DomainError(
            WorkflowErrorCode.INVALID_DEFINITION, f"流程定义无效：{exc}", {"bpmn_xml": [str(exc)]}
        ) from exc
    errors = [
        f"用户任务“{task}”须放在以工作人员角色命名的泳道中（当前：{lane or '无泳道'}）"
        for task, lane in tasks.items()
        if lane not in StaffRole.values
    ]
    has_rules = "businessRuleTask" in bpmn_xml
    if not has_rules and not DECIDING_ROLES & set(tasks.values()):
        errors.append("流程须包含审批人（approver）泳道中的决定任务，或规则判定任务")
    if errors:
        raise DomainError(
            WorkflowErrorCode.MISSING_ROLE_LANES, "流程缺少办件所需的角色泳道", {"bpmn_xml": errors}
        )
    return process_id


def upload_variant(
    *, key: str, name: str, bpmn_xml: str, actor: User, dmn_xml: str = ""
) -> ProcessDefinition:
    """上传流程变体 A service manager deploys a new version of ``key`` (validated by SpiffWorkflow's
    parser and the lane rules); running processes keep the version they started with."""
    from django.utils.text import slugify

    from yiwang.accounts.staff import require_role

    require_role(actor, "service_manager", "upload_process")
    key = slugify(key or "")[:80]
    if not key:
        raise DomainError(WorkflowErrorCode.INVALID_DEFINITION, "请填写流程标识", {"key": ["必填"]})
    if not (name or "").strip():
        raise DomainError(WorkflowErrorCode.INVALID_DEFINITION, "请填写流程名称", {"name": ["必填"]})
    process_id = check_roles(bpmn_xml)
    return deploy_definition(
        key=key,
        name=name.strip()[:200],
        process_id=process_id,
        bpmn_xml=bpmn_xml,
        dmn_xml=dmn_xml,
        actor=actor,
    )


def assign_process(item: Any, *, key: str, actor: User) -> Any:
    """启用流程 Make ``key`` (its latest version) the process of an implementation item's new cases."""
    from yiwang.accounts.staff import check_scope, require_role
    from yiwang.catalog.models import ServiceItem

    require_role(actor, "service_manager", "assign_process")
    definition = latest_definition(key)
    with transaction.atomic():
        locked = ServiceItem.objects.select_for_update().get(pk=item.pk)
        check_scope(actor, locked.implementing_body_id, ["service_manager"], obj=locked)
        previous = locked.process_key or ""
        locked.process_key = definition.key
        locked.save(update_fields=["process_key", "updated_at"])
        audit.record(
            "workflow.process_assigned",
            actor=actor,
            obj=locked,
            detail={"from": previous, "to": definition.key, "version": definition.version},
        )
    return locked
