"""Workflow (流程): versioned BPMN/DMN definitions, running process state, staff work items and the
record of every automatic decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel


class ProcessDefinition(TimeStampedModel):
    """流程定义 A BPMN 2.0 process (and the DMN decision tables it calls), immutable once saved.

    A new version is a new row with the same ``key``; running processes keep the version they
    started with.
    """

    key = models.SlugField(max_length=80)
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    process_id = models.CharField(max_length=100, help_text=_("id of the executable BPMN process"))
    bpmn_xml = models.TextField()
    dmn_xml = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="workflow_unique_definition_version")
        ]
        verbose_name = _("流程定义")
        verbose_name_plural = _("流程定义")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("update_fields"):
            raise RuntimeError("Process definitions are immutable: deploy a new version")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ProcessStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    COMPLETED = "completed", _("已完成")
    TERMINATED = "terminated", _("已终止")


class ProcessInstance(TimeStampedModel):
    """流程实例 One running process; ``state`` is SpiffWorkflow's serialised workflow."""

    definition = models.ForeignKey(ProcessDefinition, on_delete=models.PROTECT, related_name="instances")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="process_instances")
    subject_type = models.CharField(max_length=50, blank=True, help_text=_("e.g. cases.Case"))
    subject_id = models.CharField(max_length=64, blank=True, db_index=True)
    reference = models.CharField(max_length=100, blank=True, help_text=_("case number, ..."))
    status = models.CharField(
        max_length=12, choices=ProcessStatus.choices, default=ProcessStatus.RUNNING, db_index=True
    )
    # Serialised as text, not JSON: PostgreSQL's jsonb reorders keys and SpiffWorkflow's state
    # depends on the order of its task maps.
    state = models.TextField()
    data = models.JSONField(default=dict, blank=True, help_text=_("the workflow's data when last saved"))
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.definition} · {self.reference or self.public_id}"


class WorkItemStatus(models.TextChoices):
    OPEN = "open", _("待领取")
    CLAIMED = "claimed", _("办理中")
    COMPLETED = "completed", _("已办")
    CANCELLED = "cancelled", _("已取消")


class WorkItem(TimeStampedModel):
    """待办事项 A user task of a process, offered to a role in an organisation until someone claims it."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="work_items")
    task_id = models.CharField(max_length=64, help_text=_("SpiffWorkflow task id"))
    task_name = models.CharField(max_length=100, help_text=_("BPMN element id"))
    title = models.CharField(max_length=200)
    role = models.CharField(max_length=40, help_text=_("the BPMN lane: a staff role"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="work_items")
    status = models.CharField(
        max_length=12, choices=WorkItemStatus.choices, default=WorkItemStatus.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="work_items"
    )
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    department = models.CharField(
        max_length=40,
        blank=True,
        help_text=_("会签部门 (credit code or short name) of a multi-instance task"),
    )
    allow_batch = models.BooleanField(
        default=False, help_text=_("批量审批: the BPMN task has the property batch_approve=true")
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "task_id"], name="workflow_unique_task_work_item")
        ]
        indexes = [models.Index(fields=["organisation", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"


class DecisionRecord(models.Model):
    """自动决策记录 What a DMN decision table decided, from which inputs, by which rule (秒批留痕)."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="decisions")
    task_name = models.CharField(max_length=100)
    decision_id = models.CharField(max_length=100)
    inputs = models.JSONField()
    outputs = models.JSONField()
    matched_rules = models.JSONField(default=list)
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["instance", "decided_at"]

    def __str__(self) -> str:
        return f"{self.decision_id} → {self.outputs}"


class ProcessEvent(models.Model):
    """流程日志 Immutable log of what happened in a process (started, task completed, claimed, ...)."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    task_name = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instance", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.instance_id} {self.action}"
