"""Core kernel tables: regions, organisations, the working-day calendar and the audit trail."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for every table: a public UUID plus created/updated times."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class RegionLevel(models.IntegerChoices):
    """行政区划层级 (GB/T 2260 + NBS statistics codes)."""

    PROVINCE = 2, _("省")
    CITY = 3, _("市")
    COUNTY = 4, _("县")
    TOWNSHIP = 5, _("乡镇/街道")
    VILLAGE = 6, _("村/社区")


class Region(models.Model):
    """行政区划 Administrative division, keyed by its GB/T 2260 code.

    ``code`` is the code as published (2/4/6/9/12 digits); ``full_code`` pads it to 12 digits so
    that the whole tree sorts and prefix-filters uniformly.
    """

    code = models.CharField(max_length=12, unique=True)
    full_code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=100)
    level = models.PositiveSmallIntegerField(choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class OrganisationNature(models.TextChoices):
    """实施主体性质 (GB/T 39046 Appendix A)."""

    STATUTORY = "1", _("法定机关")
    AUTHORISED = "2", _("授权组织")
    ENTRUSTED = "3", _("受委托组织")
    OTHER = "9", _("其他")


class Organisation(TimeStampedModel):
    """机构/部门 A department or agency that implements service items or employs staff."""

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=50, blank=True)
    credit_code = models.CharField(max_length=18, unique=True, help_text=_("统一社会信用代码"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="organisations")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    nature = models.CharField(
        max_length=1, choices=OrganisationNature.choices, default=OrganisationNature.STATUTORY
    )
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    office_hours = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["region__full_code", "name"]
        verbose_name = _("机构")
        verbose_name_plural = _("机构")

    def __str__(self) -> str:
        return self.name


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日")
    MAKEUP_WORKDAY = "workday", _("调休上班")


class CalendarYear(models.Model):
    """A year whose State Council holiday schedule has been loaded (节假日安排已载入).

    Working-day arithmetic refuses dates in years missing here rather than guessing.
    """

    year = models.PositiveSmallIntegerField(unique=True)
    source = models.CharField(max_length=100, default="chinese-calendar")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the Monday–Friday week: a statutory holiday or a make-up workday (调休)."""

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(max_length=50, blank=True, help_text=_("e.g. 春节"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class Channel(models.TextChoices):
    """Where an action came from (办理渠道)."""

    WEB = "web", _("电脑端")
    MOBILE = "mobile", _("移动端")
    WINDOW = "window", _("窗口")
    API = "api", _("接口")
    SYSTEM = "system", _("系统")
    CONSOLE = "console", _("命令行")
    TONGBAN = "tongban", _("跨域通办")  # filed at another instance (yiwang.crossregion)


class AuditEvent(models.Model):
    """审计日志 Append-only audit record, chained so any edit or deletion is detectable.

    ``hash`` = HMAC-SM3(audit key, previous hash + canonical JSON of this record's content), the key
    held outside the database (``hash_version`` 2); rows written before the chain was keyed keep
    their SHA-256 link (version 1).  Rows are never updated or deleted: ``save`` refuses updates and
    the database itself refuses UPDATE, DELETE and TRUNCATE (triggers, migration 0003).
    """

    sequence = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # 1 = SHA-256 (before the chain was keyed), 2 = HMAC-SM3 with YIWANG_AUDIT_KEY.
    hash_version = models.PositiveSmallIntegerField(default=2)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit events are append-only")


class AuditChainHead(models.Model):
    """Single row holding the last sequence/hash; locked while appending so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_sequence = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"审计链尾 #{self.last_sequence}"


class PersonalDataAccess(models.Model):
    """个人信息访问记录 One read of a person's personal data by staff (or another party).

    Written by :mod:`yiwang.core.personal_data` — one insert per page or API answer, one bulk insert
    for a list — and shown to the data subject (我的空间 → 个人信息查阅记录). ``fields`` names what was
    shown, ``unmasked`` whether it was shown in full (needs ``view_personal_data_unmasked``).
    """

    occurred_at = models.DateTimeField()
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True)
    actor_role = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    object_label = models.CharField(max_length=200, blank=True, help_text=_("e.g. the case number"))
    fields = models.JSONField(default=list, blank=True)
    unmasked = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.SYSTEM)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    purpose = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        indexes = [models.Index(fields=["subject", "-occurred_at", "-id"], name="core_pda_subject_time")]
        permissions = [("view_personal_data_unmasked", _("可查看未脱敏的个人信息"))]

    def __str__(self) -> str:
        return f"{self.actor_id} → {self.subject_id} {self.object_type}:{self.object_id}"


class DataKey(models.Model):
    """数据加密密钥 A data-encryption key for personal data at rest, stored only wrapped by the KEK.

    The key-encryption key never is in the database (``YIWANG_DATA_KEK`` / ``YIWANG_DATA_KEY_FILE``);
    ``kek_id`` is its public fingerprint.  See :mod:`yiwang.core.keyring`.
    """

    key_id = models.CharField(max_length=16, primary_key=True)
    algorithm = models.CharField(max_length=16)
    wrapped = models.TextField()
    kek_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("数据加密密钥")
        verbose_name_plural = _("数据加密密钥")

    def __str__(self) -> str:
        return f"{self.key_id} ({self.algorithm})"
