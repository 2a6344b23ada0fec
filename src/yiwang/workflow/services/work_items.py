"""Staff work items (待办): which open items are offered to whom (role + department + region), and
the actions on one item — claim, release, delegate, complete (办理) — each validated, locked and
recorded as a process event and an audit entry."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from SpiffWorkflow.exceptions import WorkflowException

from yiwang.accounts.models import DataScope, User
from yiwang.accounts.services import staff_roles
from yiwang.accounts.staff import assignments_of, in_scope
from yiwang.catalog.consistency import region_prefix
from yiwang.core import audit
from yiwang.core.errors import Conflict, CoreErrorCode, DomainError, NotFound, PermissionDenied
from yiwang.workflow import engine
from yiwang.workflow.errors import WorkflowErrorCode
from yiwang.workflow.models import ProcessEvent, ProcessInstance, WorkItem, WorkItemStatus
from yiwang.workflow.services.steps import OPEN_STATUSES, after_step, jsonable

# Sent inside the transaction of :func:`complete`, after the engine state is saved, with
# ``instance``, ``item``, ``user`` and ``result``; receivers (e.g. the case bridge) apply the
# business effect of the step in the same transaction, so an error rolls both back.
task_completed = Signal()


# --- who sees what (分派规则) ---------------------------------------------------------------------
def offer_condition(user: User) -> Q | None:
    """分派规则: which open work items are offered to the user — role + department + region.

    An item is offered to staff holding its role (the BPMN lane) in its organisation; a role granted
    with the 本行政区划及下级 data scope also covers the organisations of the staff member's region
    and its subordinate regions.
    """
    assignments = assignments_of(user)
    profile = getattr(user, "staff_profile", None)
    if not assignments or profile is None:
        return None
    department_roles = sorted({a.role for a in assignments})
    condition = Q(organisation_id=profile.organisation_id, role__in=department_roles)
    region_roles = sorted({a.role for a in assignments if a.scope == DataScope.REGION})
    if region_roles:
        prefix = region_prefix(profile.organisation.region)
        condition |= Q(role__in=region_roles, organisation__region__full_code__startswith=prefix)
    return condition


def eligible(user: User, item: WorkItem) -> bool:
    """Staff holding the work item's role (the BPMN lane) with its organisation in that role's scope."""
    if not hasattr(user, "staff_profile") or item.role not in staff_roles(user):
        return False
    return in_scope(user, item.organisation_id, [item.role])


def todo(user: User) -> QuerySet[WorkItem]:
    """待办: open items offered to me (role + department + region) and items claimed by or delegated to me."""
    condition = offer_condition(user)
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


# --- actions on one item ----------------------------------------------------------------------------
def _locked_item(item: WorkItem) -> WorkItem:
    locked = WorkItem.objects.select_for_update().select_related("instance").get(pk=item.pk)
    if locked.status not in OPEN_STATUSES:
        raise Conflict("该待办已办结或已取消", code=WorkflowErrorCode.WORK_ITEM_CLOSED)
    return locked


def _locked_for_handling(item: WorkItem, user: User) -> WorkItem:
    """The locked item, if the user may handle it: eligible, and not claimed by a colleague."""
    locked = _locked_item(item)
    if not eligible(user, locked):
        raise PermissionDenied("您不能办理该待办（角色或部门不符）", code=WorkflowErrorCode.NOT_ELIGIBLE)
    if locked.status == WorkItemStatus.CLAIMED and locked.assignee_id != user.pk:
        raise Conflict("该待办已被他人签收", code=WorkflowErrorCode.WORK_ITEM_TAKEN)
    return locked


def claim(item: WorkItem, *, user: User) -> WorkItem:
    """签收: take an open item so colleagues see it is being handled."""
    with transaction.atomic():
        locked = _locked_for_handling(item, user)
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
    result = jsonable(data or {})
    with transaction.atomic():
        locked = _locked_for_handling(item, user)
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
        instance.data = jsonable(engine.data_of(workflow) or {**instance.data, **result})
        instance.lock_version += 1
        instance.save(update_fields=["state", "data", "lock_version", "updated_at"])
        ProcessEvent.objects.create(
            instance=instance, action="task_completed", task_name=locked.task_name, actor=user, detail=result
        )
        after_step(instance, workflow, user)
        audit.record("workflow.task_completed", actor=user, obj=locked, detail={"task": locked.task_name})
        task_completed.send(sender=ProcessInstance, instance=instance, item=locked, user=user, result=result)
    return instance


def decide(item: WorkItem, *, user: User, approve: bool, comment: str = "") -> ProcessInstance:
    """同意 / 不同意: complete a user task with an approval result; a refusal must give its reason
    (the rule the work-queue page and the API share)."""
    if not approve and not (comment or "").strip():
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, _("不同意时必须说明理由"), {"comment": [_("必填")]})
    return complete(item, user=user, data=approval_result(item, approve=approve, comment=comment))
