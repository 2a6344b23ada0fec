"""一件事 "One thing" bundles: several items around one life or business event, with one merged
form (多表合一: each field asked once, mapped onto every member item's form) and materials asked once.

Filing a bundle application (splitting it into parallel sub-cases) belongs to the cases app.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models.items import ServiceItem
from yiwang.core.models import TimeStampedModel


class BundleAudience(models.TextChoices):
    """主题类别: a life event of a person or a business event of a company."""

    PERSON = "person", _("个人生命周期")
    BUSINESS = "business", _("企业全生命周期")


class BundleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤销")


class Bundle(TimeStampedModel):
    """一件事 A bundle of items around one event, e.g. 新生儿出生 or 开办餐饮店."""

    code = models.SlugField(max_length=40, unique=True, help_text=_("标识, e.g. newborn"))
    name = models.CharField(max_length=100)
    audience = models.CharField(max_length=10, choices=BundleAudience.choices)
    event = models.CharField(max_length=100, help_text=_("生命周期/经营事件, e.g. 出生"))
    description = models.TextField(blank=True)
    lead_department = models.CharField(max_length=100, blank=True, help_text=_("牵头部门"))
    committed_limit_days = models.PositiveIntegerField(default=0, help_text=_("承诺办结时限（工作日）"))
    visits_required = models.PositiveSmallIntegerField(default=0, help_text=_("到办事现场次数"))
    status = models.CharField(
        max_length=10, choices=BundleStatus.choices, default=BundleStatus.DRAFT, db_index=True
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")

    def __str__(self) -> str:
        return self.name


class BundleMember(models.Model):
    """一件事成员事项 One item of a bundle, in the order it is shown and handled."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="members")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="bundle_memberships")
    order = models.PositiveSmallIntegerField(default=0)
    optional = models.BooleanField(default=False, help_text=_("可选办理（申请人可不选）"))

    class Meta:
        ordering = ["bundle", "order", "pk"]
        verbose_name = _("一件事成员事项")
        verbose_name_plural = _("一件事成员事项")
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="catalog_bundle_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}:{self.item_id}"


class BundleField(models.Model):
    """合并表单字段 One field of the merged form, asked once for the whole bundle."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(max_length=50)
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=10, default="text")
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True)
    help_text = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["bundle", "order", "pk"]
        verbose_name = _("合并表单字段")
        verbose_name_plural = _("合并表单字段")
        constraints = [models.UniqueConstraint(fields=["bundle", "name"], name="catalog_bundle_field_unique")]

    def __str__(self) -> str:
        return self.label


class BundleFieldMapping(models.Model):
    """字段映射 Where the merged field's value goes in one member item's form."""

    field = models.ForeignKey(BundleField, on_delete=models.CASCADE, related_name="mappings")
    member = models.ForeignKey(BundleMember, on_delete=models.CASCADE, related_name="field_mappings")
    item_field = models.CharField(max_length=50, help_text=_("成员事项申请表字段名"))

    class Meta:
        ordering = ["field", "member"]
        verbose_name = _("字段映射")
        verbose_name_plural = _("字段映射")
        constraints = [
            models.UniqueConstraint(fields=["member", "item_field"], name="catalog_bundle_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.field_id}→{self.member_id}.{self.item_field}"
