"""工单 Tickets of the 12345 hotline: consultations, complaints, suggestions, requests for help and
praise, filed on the web, in the app, by a hotline agent on the phone or by the assistant."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.core.protected import DigestField, ProtectedCharField, ProtectedJSONField


class TicketCategory(models.TextChoices):
    """诉求类别 What the citizen asks for."""

    CONSULTATION = "consultation", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    HELP = "help", _("求助")
    PRAISE = "praise", _("表扬")


class TicketChannel(models.TextChoices):
    """受理渠道 Where the ticket came from."""

    WEB = "web", _("网站")
    MOBILE = "mobile", _("移动端")
    HOTLINE = "hotline", _("12345 热线")
    ASSISTANT = "assistant", _("智能客服")


class TicketStatus(models.TextChoices):
    """工单状态 created → dispatched → accepted → replied → (revisit) closed; returned and merged aside."""

    CREATED = "created", _("待派单")
    DISPATCHED = "dispatched", _("待签收")
    ACCEPTED = "accepted", _("办理中")
    REPLIED = "replied", _("已答复待回访")
    RETURNED = "returned", _("已退回待重派")
    MERGED = "merged", _("已合并")
    CLOSED = "closed", _("已办结")


OPEN_STATUSES = (
    TicketStatus.CREATED,
    TicketStatus.DISPATCHED,
    TicketStatus.ACCEPTED,
    TicketStatus.RETURNED,
)
# Statuses on a department's clock (the reply deadline runs).
RUNNING_STATUSES = (TicketStatus.DISPATCHED, TicketStatus.ACCEPTED)


class RevisitResult(models.TextChoices):
    """回访结果 The applicant's verdict on the reply."""

    NONE = "", _("未回访")
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Ticket(TimeStampedModel):
    """工单 One request to the 12345 hotline and its handling by a department."""

    number = models.CharField(max_length=32, unique=True, help_text=_("工单编号，如 12345-20261207-000123"))
    category = models.CharField(max_length=16, choices=TicketCategory.choices)
    channel = models.CharField(max_length=10, choices=TicketChannel.choices)
    status = models.CharField(max_length=12, choices=TicketStatus.choices, default=TicketStatus.CREATED)
    title = models.CharField(max_length=200)
    content = models.TextField()
    region_code = models.CharField(max_length=12, blank=True, db_index=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_name = ProtectedCharField(max_length=100, blank=True)
    contact_phone = ProtectedCharField(max_length=20, blank=True)
    contact_phone_digest = DigestField(source="contact_phone", canonical="phone", db_index=True)
    conversation = ProtectedJSONField(default=list, blank=True, help_text=_("智能客服对话记录"))
    case_public_id = models.UUIDField(null=True, blank=True, help_text=_("相关办件"))
    keywords = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispatched_at = models.DateTimeField(null=True, blank=True)
    accept_due = models.DateField(null=True, blank=True)
    reply_due = models.DateField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    revisit_result = models.CharField(max_length=12, choices=RevisitResult.choices, blank=True, default="")
    revisit_note = models.TextField(blank=True)
    revisited_at = models.DateTimeField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        indexes = [
            models.Index(fields=["department", "status", "created_at"]),
            models.Index(fields=["status", "reply_due"]),
            models.Index(fields=["applicant", "created_at"]),
            models.Index(fields=["replied_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketEvent(models.Model):
    """工单流转记录 One step of a ticket's handling (who, when, what, from which department to which)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    department = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}"


class TicketTerm(models.Model):
    """关键词索引 The ticket's keywords, one row each, for the similar-ticket hints."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(max_length=40)
    region_code = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["term", "created_at"])]

    def __str__(self) -> str:
        return self.term


class TicketCounter(models.Model):
    """Daily sequence of the ticket numbers."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}:{self.last}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


class TicketExtension(TimeStampedModel):
    """延期申请 A department asks for more working days to reply."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField()
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    previous_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(status="pending"),
                name="tickets_one_pending_extension",
            )
        ]
