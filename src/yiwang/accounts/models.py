"""Accounts: natural persons (自然人), legal persons (法人), staff (工作人员), SMS outbox and API tokens."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel
from yiwang.core.protected import DigestField, ProtectedCharField


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
    # Personal data, encrypted at rest (core.protected); filter(phone=…) goes through phone_digest.
    phone = ProtectedCharField(max_length=11, blank=True)
    phone_digest = DigestField(source="phone", canonical="phone", db_index=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    assurance_level = models.PositiveSmallIntegerField(
        choices=AssuranceLevel.choices, default=AssuranceLevel.ANONYMOUS
    )
    display_name = models.CharField(max_length=200, blank=True)
    advanced_until = models.DateTimeField(
        null=True, blank=True, help_text=_("高级实名（人脸核验）有效至：高级认证按次有效")
    )
    password_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.UniqueConstraint(
                fields=["phone_digest"],
                condition=~models.Q(phone_digest="") & ~models.Q(kind="staff"),
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
    id_number = ProtectedCharField(max_length=18, help_text=_("公民身份号码 GB 11643"))
    id_number_digest = DigestField(source="id_number", canonical="id_number", unique=True)
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
    SUPERVISOR = "supervisor", _("监察人员")
    HOTLINE_AGENT = "hotline_agent", _("12345 热线坐席")
    DATA_OFFICIAL = "data_official", _("数据专员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDITOR = "auditor", _("安全审计员")
    FINANCE = "finance", _("财务人员")


# 三员 The three separated administrator roles: none of them may hold another of the three.
THREE_ADMIN_ROLES = frozenset({StaffRole.ADMIN, StaffRole.SECURITY_ADMIN, StaffRole.AUDITOR})


class DataScope(models.TextChoices):
    """数据范围 What a role may act on: the staff member's own department or the whole region subtree."""

    DEPARTMENT = "department", _("本部门")
    REGION = "region", _("本行政区划及下级")


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
    scope = models.CharField(max_length=12, choices=DataScope.choices, default=DataScope.DEPARTMENT)
    granted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

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
    RECOVER = "recover", _("找回账户")
    CHANGE_PHONE = "change_phone", _("更换手机号")


class SmsVerificationCode(TimeStampedModel):
    """An SMS verification code; only its hash is stored, it can be used once, and it expires."""

    phone = ProtectedCharField(max_length=11)
    phone_digest = DigestField(source="phone", canonical="phone")
    purpose = models.CharField(max_length=20, choices=SmsPurpose.choices)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["phone_digest", "purpose", "created_at"])]


class SmsOutboxMessage(TimeStampedModel):
    """短信发件箱 What the outbox SMS backend "sent": visible in the demo instead of a real gateway."""

    phone = ProtectedCharField(max_length=11)
    phone_digest = DigestField(source="phone", canonical="phone", db_index=True)
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
    occurred_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("when what the message tells of happened (not when it was delivered)"),
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    @property
    def when(self) -> datetime:
        """The time to show: the event's, or (older messages) the delivery's."""
        return self.occurred_at or self.created_at


# --- account safety ------------------------------------------------------------------------------
class ThrottleScope(models.TextChoices):
    ACCOUNT = "account", _("账户")
    IP = "ip", _("IP 地址")


class LoginThrottle(TimeStampedModel):
    """登录失败计数 Failed logins per account or per IP; a row per key so every process sees it."""

    scope = models.CharField(max_length=10, choices=ThrottleScope.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    lockouts = models.PositiveIntegerField(default=0, help_text=_("连续锁定次数，用于退避"))
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="accounts_unique_throttle_key")]
        verbose_name = _("登录失败计数")
        verbose_name_plural = _("登录失败计数")


class LoginChannel(models.TextChoices):
    PORTAL = "portal", _("门户")
    WORKBENCH = "workbench", _("工作台")
    API = "api", _("接口令牌")
    SSO = "sso", _("单点登录")
    RECOVERY = "recovery", _("找回账户")
    KIOSK = "kiosk", _("自助终端")
    UPSTREAM = "upstream", _("上级统一身份认证")


class LoginRecord(models.Model):
    """登录记录 One login attempt for an account, shown to its owner on the security page."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_records")
    occurred_at = models.DateTimeField(db_index=True)
    succeeded = models.BooleanField()
    channel = models.CharField(max_length=10, choices=LoginChannel.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["user", "occurred_at"])]
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")

    def __str__(self) -> str:
        return f"{self.user} {self.occurred_at:%Y-%m-%d %H:%M} {'成功' if self.succeeded else '失败'}"


# --- identity checks (实名核验) -------------------------------------------------------------------
class IdentityCheckKind(models.TextChoices):
    POPULATION = "population", _("人口库比对")
    BANK_CARD = "bank_card", _("银行卡核验")
    FACE = "face", _("人脸核验")
    COUNTER = "counter", _("窗口核验")


class IdentityCheckStatus(models.TextChoices):
    PENDING = "pending", _("核验中")
    PASSED = "passed", _("核验通过")
    FAILED = "failed", _("核验未通过")
    TIMEOUT = "timeout", _("核验超时")


class IdentityCheck(TimeStampedModel):
    """实名核验 One check of a person against an outside source, answered asynchronously."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identity_checks")
    kind = models.CharField(max_length=12, choices=IdentityCheckKind.choices)
    status = models.CharField(
        max_length=10, choices=IdentityCheckStatus.choices, default=IdentityCheckStatus.PENDING
    )
    target_level = models.PositiveSmallIntegerField(choices=AssuranceLevel.choices)
    provider = models.CharField(max_length=100, blank=True)
    reference = models.CharField(max_length=200, blank=True, help_text=_("核验服务商的流水号"))
    masked_input = models.CharField(max_length=100, blank=True, help_text=_("脱敏后的核验要素，如卡号后四位"))
    reason = models.CharField(max_length=200, blank=True)
    deadline = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("实名核验")
        verbose_name_plural = _("实名核验")

    @property
    def is_pending(self) -> bool:
        return self.status == IdentityCheckStatus.PENDING


# --- agents of legal persons (代办授权) -------------------------------------------------------------
class AgentAuthorisation(TimeStampedModel):
    """代办授权 A company's legal representative authorises a natural person to act in its name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(LegalPerson, on_delete=models.CASCADE, related_name="agent_authorisations")
    agent = models.ForeignKey(NaturalPerson, on_delete=models.CASCADE, related_name="agent_authorisations")
    all_items = models.BooleanField(default=False, help_text=_("授权办理全部事项"))
    items = models.ManyToManyField("catalog.ServiceItem", blank=True, related_name="+")
    valid_until = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("代办授权")
        verbose_name_plural = _("代办授权")

    def __str__(self) -> str:
        return f"{self.company} → {self.agent}"

    @property
    def valid_through(self) -> date:
        """有效期至: the last local day the authorisation is valid.  An end date entered as a day is
        stored as the next midnight (valid to the end of that day), so this is the day entered."""
        return timezone.localtime(self.valid_until - timedelta(microseconds=1)).date()


# --- single sign-on (统一身份认证) -----------------------------------------------------------------
class IntegrationMode(models.TextChoices):
    UNIFIED = "unified", _("统一用户（信任平台身份）")
    MAPPING = "mapping", _("用户映射（部门系统自有用户）")


class SsoClientProfile(TimeStampedModel):
    """接入系统 How a department system registered as an OIDC client integrates with the platform."""

    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.CASCADE, related_name="yiwang_profile"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(max_length=10, choices=IntegrationMode.choices, default=IntegrationMode.UNIFIED)
    allowed_scopes = models.CharField(
        max_length=300, default="openid profile assurance", help_text=_("空格分隔，如 openid profile phone")
    )

    class Meta:
        verbose_name = _("接入系统")
        verbose_name_plural = _("接入系统")

    def __str__(self) -> str:
        return str(self.application)

    @property
    def scope_set(self) -> set[str]:
        return set(self.allowed_scopes.split())


class ClientUserMapping(TimeStampedModel):
    """用户映射 In mapping mode: the department system's own user id for a platform user, set once."""

    application = models.ForeignKey("oauth2_provider.Application", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="client_mappings")
    pairwise_sub = models.CharField(max_length=64, db_index=True)
    local_user_id = models.CharField(max_length=100, blank=True)
    mapped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "user"], name="accounts_unique_client_user"),
            models.UniqueConstraint(
                fields=["application", "local_user_id"],
                condition=~models.Q(local_user_id=""),
                name="accounts_unique_client_local_user",
            ),
        ]
        verbose_name = _("用户映射")
        verbose_name_plural = _("用户映射")


class SsoActingContext(TimeStampedModel):
    """The principal a person chose when logging into a client: himself, or a company he may act for."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey("oauth2_provider.Application", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(
        LegalPerson, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="accounts_unique_acting_context")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.application_id}: {self.company or '本人'}"


class FederatedIdentity(TimeStampedModel):
    """上级身份 A person or company as the trusted upstream provider (the province's OIDC issuer) names
    them: ``(issuer, subject)`` is linked to one local account, created or linked at the first log-in.

    ``asserted_level`` is the assurance level the upstream provider asserted at the last log-in; the
    local account's level follows it (never higher, docs/identity.md "Trusting the province")."""

    issuer = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="federated_identities")
    asserted_level = models.PositiveSmallIntegerField(
        choices=AssuranceLevel.choices, default=AssuranceLevel.ANONYMOUS
    )
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="accounts_unique_federated_subject"),
            models.UniqueConstraint(fields=["issuer", "user"], name="accounts_unique_federated_user"),
        ]
        verbose_name = _("上级身份关联")
        verbose_name_plural = _("上级身份关联")

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject[:12]} → {self.user_id}"


class SecurityPolicy(TimeStampedModel):
    """安全策略 The account-safety policy the security admin (安全管理员) edits: one row.

    Until the first edit the deployment's settings apply; every edit is audited with the values
    before and after.
    """

    password_min_length = models.PositiveSmallIntegerField(default=8)
    password_min_classes = models.PositiveSmallIntegerField(
        default=3, help_text=_("大写、小写、数字、符号中至少几类")
    )
    lockout_account_failures = models.PositiveSmallIntegerField(default=5)
    lockout_ip_failures = models.PositiveSmallIntegerField(default=20)
    lockout_base_seconds = models.PositiveIntegerField(default=300)
    lockout_max_seconds = models.PositiveIntegerField(default=86400)
    session_idle_minutes = models.PositiveSmallIntegerField(default=30)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")

    def __str__(self) -> str:
        return "security policy"
