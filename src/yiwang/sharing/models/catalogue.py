"""The resource catalogue (资源目录): catalogues, information resources, their fields and published
versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel


class CatalogueKind(models.TextChoices):
    DEPARTMENT = "department", _("部门目录")
    BASE = "base", _("基础目录")
    THEMATIC = "thematic", _("主题目录")


class Catalogue(TimeStampedModel):
    """目录 A node of the catalogue tree; a department catalogue belongs to its organisation."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(max_length=12, choices=CatalogueKind.choices)
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="sharing_catalogues"
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["kind", "order", "code"]
        verbose_name = _("资源目录")
        verbose_name_plural = _("资源目录")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ResourceFormat(models.TextChoices):
    TABLE = "table", _("数据库表")
    FILE = "file", _("文件")
    API = "api", _("接口")
    SPATIAL = "spatial", _("空间数据")


class UpdateCycle(models.TextChoices):
    REALTIME = "realtime", _("实时")
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")
    IRREGULAR = "irregular", _("不定期")


class ShareType(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("无条件共享")
    CONDITIONAL = "conditional", _("有条件共享")
    NONE = "none", _("不予共享")


class OpenType(models.TextChoices):
    OPEN = "open", _("开放")
    CONDITIONAL = "conditional", _("有条件开放")
    CLOSED = "closed", _("不开放")


class SubjectKind(models.TextChoices):
    PERSON = "person", _("自然人")
    COMPANY = "company", _("法人")
    NONE = "none", _("无（不针对主体）")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("审核中")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class Resource(TimeStampedModel):
    """信息资源 A resource a provider shares.  ``version`` is the number of the definition being
    edited or last published; ``published_version`` the number consumers get (None before the first
    publication).  A published resource edited again goes back to draft with ``version + 1`` while
    ``published_version`` keeps serving the last reviewed definition."""

    code = models.CharField(max_length=40, unique=True, help_text=_("资源代码: 提供方信用代码-序号"))
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="shared_resources")
    catalogues = models.ManyToManyField(Catalogue, blank=True, related_name="resources")
    format = models.CharField(max_length=10, choices=ResourceFormat.choices, default=ResourceFormat.API)
    update_cycle = models.CharField(max_length=12, choices=UpdateCycle.choices, default=UpdateCycle.DAILY)
    share_type = models.CharField(max_length=15, choices=ShareType.choices, default=ShareType.CONDITIONAL)
    share_conditions = models.TextField(blank=True, help_text=_("有条件共享的条件"))
    no_share_basis = models.TextField(blank=True, help_text=_("不予共享的法律、行政法规或政策依据"))
    open_type = models.CharField(max_length=12, choices=OpenType.choices, default=OpenType.CLOSED)
    service = models.CharField(
        max_length=60, blank=True, help_text=_("提供服务的键, e.g. bases.population, licences.index")
    )
    subject_kind = models.CharField(max_length=10, choices=SubjectKind.choices, default=SubjectKind.NONE)
    status = models.CharField(
        max_length=12, choices=ResourceStatus.choices, default=ResourceStatus.DRAFT, db_index=True
    )
    version = models.PositiveIntegerField(default=1)
    published_version = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("信息资源")
        verbose_name_plural = _("信息资源")
        indexes = [models.Index(fields=["provider", "status"]), models.Index(fields=["share_type"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FieldDataType(models.TextChoices):
    STRING = "string", _("字符串")
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    MONEY = "money", _("金额（分）")
    DATE = "date", _("日期")
    DATETIME = "datetime", _("日期时间")
    BOOLEAN = "boolean", _("布尔")
    CODE = "code", _("代码")
    GEOJSON = "geojson", _("GeoJSON")


class Sensitivity(models.TextChoices):
    PUBLIC = "public", _("公开")
    INTERNAL = "internal", _("内部")
    SENSITIVE = "sensitive", _("敏感")
    PERSONAL = "personal", _("个人信息")


class ResourceField(models.Model):
    """信息项 One field of a resource's current definition."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(max_length=64, help_text=_("identifier: lower-case letters, digits, _"))
    label = models.CharField(max_length=100)
    data_type = models.CharField(max_length=10, choices=FieldDataType.choices, default=FieldDataType.STRING)
    sensitivity = models.CharField(max_length=10, choices=Sensitivity.choices, default=Sensitivity.INTERNAL)
    is_personal = models.BooleanField(default=False)
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["resource", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "name"], name="sharing_unique_resource_field")
        ]

    def __str__(self) -> str:
        return f"{self.resource_id}.{self.name}"


class ResourceVersion(models.Model):
    """资源版本 The immutable definition of a resource as published (fields included)."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="sharing_unique_resource_version")
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Published resource versions are immutable")
        super().save(*args, **kwargs)  # type: ignore[arg-type]
