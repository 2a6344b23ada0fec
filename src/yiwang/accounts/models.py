"""Accounts: natural persons (自然人), legal persons (法人), staff (工作人员), SMS outbox and API tokens."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel


class AccountKind(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人")
    STAFF = "staff", _("工作人员")


class AssuranceLevel(models.IntegerChoices):
    """实名认证等级: the level an account has reached and an item may require."""

    ANONYMOUS = 0, _("匿名")
    PRIMARY = 1, _("初级实名")
    INTERMEDIATE = 2, _("中级实名")
    ADVANCED = 3, _("高级实名")


class User(AbstractUser):
    """One login for every kind of user; the profile tables say who the account belongs to."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=AccountKind.choices, default=AccountKind.NATURAL)
    phone = models.CharField(max_length=11, blank=True, db_index=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    assurance_level = models.PositiveSmallIntegerField(
        choices=AssuranceLevel.choices, default=AssuranceLevel.ANONYMOUS
    )
    display_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=~models.Q(phone="") & ~models.Q(kind="staff"),
                name="accounts_user_unique_applicant_phone",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff_user(self) -> bool:
        return self.kind == AccountKind.STAFF


class NaturalPerson(TimeStampedModel):
    """自然人 The real-name identity of a natural-person account."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="natural_person")
    real_name = models.CharField(max_length=100)
    id_number = models.CharField(max_length=18, unique=True, help_text=_("公民身份号码 GB 11643"))
    verified_against_population_base = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")

    def __str__(self) -> str:
        return self.real_name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


class LegalPerson(TimeStampedModel):
    """法人 A company, public institution or social organisation, bound to its legal representative."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="legal_person")
    name = models.CharField(max_length=200)
    credit_code = models.CharField(max_length=18, unique=True, help_text=_("统一社会信用代码 GB 32100"))
    legal_representative = models.ForeignKey(
        NaturalPerson, on_delete=models.PROTECT, related_name="represented_companies"
    )

    class Meta:
        verbose_name = _("法人")
        verbose_name_plural = _("法人")

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("窗口人员")
    HANDLER = "handler", _("承办人")
    APPROVER = "approver", _("审批人")
    SERVICE_MANAGER = "service_manager", _("事项管理员")
    ADMIN = "admin", _("系统管理员")


class StaffProfile(TimeStampedModel):
    """工作人员 A staff member, employed by one organisation."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff")
    real_name = models.CharField(max_length=100)
    employee_number = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return f"{self.real_name}（{self.organisation.short_name or self.organisation.name}）"

    def has_role(self, role: str) -> bool:
        return any(assignment.role == role for assignment in self.roles.all())


class StaffRoleAssignment(TimeStampedModel):
    """A role a staff member holds; roles act within the staff member's organisation."""

    staff = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=StaffRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "role"], name="accounts_unique_staff_role")]
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")

    def __str__(self) -> str:
        return f"{self.staff} · {self.get_role_display()}"


class SmsPurpose(models.TextChoices):
    REGISTER = "register", _("注册")
    LOGIN = "login", _("登录")
    NOTIFY = "notify", _("通知")


class SmsVerificationCode(TimeStampedModel):
    """An SMS verification code; only its hash is stored, it can be used once, and it expires."""

    phone = models.CharField(max_length=11, db_index=True)
    purpose = models.CharField(max_length=20, choices=SmsPurpose.choices)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["phone", "purpose", "created_at"])]


class SmsOutboxMessage(TimeStampedModel):
    """短信发件箱 What the outbox SMS backend "sent": visible in the demo instead of a real gateway."""

    phone = models.CharField(max_length=11, db_index=True)
    body = models.TextField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("短信发件箱")
        verbose_name_plural = _("短信发件箱")


class ApiToken(TimeStampedModel):
    """A bearer token for the JSON API.  Only a SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="api")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


def mask_id_number(value: str) -> str:
    """Show the first 6 and last 4 characters only (personal data is masked on screen)."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if len(value) != 11:
        return value
    return value[:3] + "****" + value[-4:]


class InboxMessage(TimeStampedModel):
    """站内信 An in-site message shown in "my space"."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="inbox")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]
