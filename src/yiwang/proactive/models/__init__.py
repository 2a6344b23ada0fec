"""主动服务 Proactive services: rules as data, what they pushed or granted, objections, opt-outs.

A :class:`Rule` (owned by a department, draft → active → retired, every change a new
:class:`RuleVersion`) says which life or business event (出生登记, 企业开办, 证照到期, 退休, 政策匹配)
and which conditions select a subject, and what follows: a notification or a benefit granted without
an application (免申即享).  The daily scan writes one :class:`Push` per rule × subject × event
(unique, so a repeated scan changes nothing).  Subjects are keyed by the digest of their ID number or
credit code (``protected_digest(code, "code")``, the digest the bases' change log and the licences
use): a grant is recorded even when the subject has no account and shows up once they log in.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation


class EventKind(models.TextChoices):
    BIRTH = "birth", _("出生登记")
    COMPANY_ESTABLISHED = "company_established", _("企业开办")
    LICENCE_EXPIRING = "licence_expiring", _("证照即将到期")
    RETIREMENT = "retirement", _("达到退休年龄")
    POLICY_MATCH = "policy_match", _("惠企政策匹配")


PERSON_EVENTS = frozenset({EventKind.BIRTH, EventKind.RETIREMENT})
COMPANY_EVENTS = frozenset({EventKind.COMPANY_ESTABLISHED, EventKind.POLICY_MATCH})


class ActionKind(models.TextChoices):
    NOTIFY = "notify", _("推送通知")
    GRANT = "grant", _("免申即享")


class RuleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("已启用")
    RETIRED = "retired", _("已停用")


class SubjectKind(models.TextChoices):
    PERSON = "person", _("自然人")
    COMPANY = "company", _("法人")


class Rule(models.Model):
    """主动服务规则 One rule; ``conditions`` is validated by ``schemas.RuleConditions``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    event = models.CharField(max_length=24, choices=EventKind.choices)
    conditions = models.JSONField(default=dict)
    action = models.CharField(max_length=10, choices=ActionKind.choices, default=ActionKind.NOTIFY)
    title = models.CharField(max_length=200)
    message = models.TextField(blank=True, default="")
    link = models.CharField(max_length=300, blank=True, default="")
    benefit_name = models.CharField(max_length=120, blank=True, default="")
    amount_fen = models.BigIntegerField(default=0)
    legal_basis = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=10, choices=RuleStatus.choices, default=RuleStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    backfilled = models.BooleanField(default=False)  # policy rules: all existing companies evaluated
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["status", "event"])]
        verbose_name = _("主动服务规则")
        verbose_name_plural = _("主动服务规则")

    def __str__(self) -> str:
        return self.name

    @property
    def subject_kind(self) -> str:
        return SubjectKind.PERSON if self.event in PERSON_EVENTS else SubjectKind.COMPANY


class RuleVersion(models.Model):
    """规则版本 The definition a version had; pushes and grants name the version they followed."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="proactive_rule_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class PushStatus(models.TextChoices):
    NEW = "new", _("待发送")
    SENT = "sent", _("已推送")
    SKIPPED = "skipped", _("已退订，未推送")
    NO_ACCOUNT = "no_account", _("无平台账号，登录后可见")


class GrantStatus(models.TextChoices):
    NONE = "", _("—")
    GRANTED = "granted", _("已享受")
    CORRECTED = "corrected", _("已更正")
    REVOKED = "revoked", _("已撤销")


class Push(models.Model):
    """一次主动服务 One rule × subject × event: the notification and, for 免申即享, the grant decision
    (rule version, the facts used, the amount).  Written in bulk by the scan."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="pushes")
    rule_version = models.PositiveIntegerField()
    subject_kind = models.CharField(max_length=8, choices=SubjectKind.choices)
    subject_digest = models.CharField(max_length=64)
    event_key = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=PushStatus.choices, default=PushStatus.NEW)
    grant_status = models.CharField(max_length=10, choices=GrantStatus.choices, blank=True, default="")
    amount_fen = models.BigIntegerField(default=0)
    facts = models.JSONField(default=dict)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scan_day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_digest", "event_key"], name="proactive_push_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["subject_digest", "created_at"]),
            models.Index(fields=["status"], name="proactive_push_status"),
        ]
        verbose_name = _("主动服务记录")
        verbose_name_plural = _("主动服务记录")

    def __str__(self) -> str:
        return f"push {self.public_id}"

    @property
    def is_grant(self) -> bool:
        return bool(self.grant_status)


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("异议成立")
    REJECTED = "rejected", _("异议不成立")


class Objection(models.Model):
    """异议 The recipient disputes a grant; a manager upholds it (grant revoked or corrected) or rejects it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    push = models.ForeignKey(Push, on_delete=models.PROTECT, related_name="objections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    corrected_amount_fen = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["push"], condition=models.Q(status="open"), name="proactive_one_open_objection"
            )
        ]

    def __str__(self) -> str:
        return f"objection {self.public_id}"


class OptOut(models.Model):
    """退订 The recipient turned pushes off: of one rule, or all (``rule`` empty)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject_digest = models.CharField(max_length=64, db_index=True)
    rule = models.ForeignKey(Rule, null=True, blank=True, on_delete=models.CASCADE, related_name="opt_outs")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subject_digest", "rule"], name="proactive_opt_out_rule_once"),
            models.UniqueConstraint(
                fields=["subject_digest"],
                condition=models.Q(rule__isnull=True),
                name="proactive_opt_out_all_once",
            ),
        ]

    def __str__(self) -> str:
        return f"opt-out {self.subject_digest[:8]} {self.rule_id or 'all'}"


class ScanState(models.Model):
    """The scan's watermark: the last base change read and the last day evaluated."""

    name = models.CharField(max_length=32, primary_key=True)
    last_sequence = models.BigIntegerField(default=0)
    last_day = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name
