"""基本目录 Base catalogue: items defined once at their level, and the register of issued codes.

A base item (基本目录事项) fixes the name, the 基本编码, the item type and the legal basis of an item;
every implementing body publishes an implementation item (实施清单, :class:`ServiceItem`) derived
from it that must keep those four the same (四级四同).  Codes are never reused: every base code and
every implementation code that was ever issued stays in :class:`IssuedCode`, so a new item can never
take the code of a deleted or withdrawn one (see docs/catalogue-coding.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models.items import ExerciseLevel, ItemType
from yiwang.core.models import Region, TimeStampedModel


class BaseItemStatus(models.TextChoices):
    """基本目录事项状态."""

    ACTIVE = "active", _("有效")
    RETIRED = "retired", _("已废止")


class BaseItem(TimeStampedModel):
    """基本目录事项 A base item, defined once by the level (and region) that owns the catalogue entry.

    ``defining_region`` is the region whose catalogue defines it (empty for a national base item);
    ``statutory_limit_days`` is the statutory limit where the law fixes one (implementation items may
    not exceed it).
    """

    code = models.CharField(max_length=12, unique=True, help_text=_("基本编码（不超过12位）"))
    name = models.CharField(max_length=200, help_text=_("事项名称"))
    item_type = models.CharField(max_length=2, choices=ItemType.choices, help_text=_("事项类型"))
    legal_basis = models.TextField(help_text=_("设定依据"))
    legal_basis_url = models.CharField(max_length=500, blank=True, help_text=_("设定依据链接"))
    exercise_level = models.CharField(max_length=1, choices=ExerciseLevel.choices, help_text=_("行使层级"))
    defining_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="base_items",
        help_text=_("制定目录的行政区划（空 = 国家级）"),
    )
    statutory_limit_days = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("法定办结时限（工作日）")
    )
    status = models.CharField(
        max_length=10, choices=BaseItemStatus.choices, default=BaseItemStatus.ACTIVE, db_index=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("基本目录事项")
        verbose_name_plural = _("基本目录事项")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CodeKind(models.TextChoices):
    BASE = "base", _("基本编码")
    IMPLEMENTATION = "implementation", _("实施编码")


class IssuedCode(models.Model):
    """编码登记簿 Every code ever issued; rows are never deleted, so a code is never reused.

    ``owner_public_id`` is the base item or (canonical) implementation item the code belongs to; the
    same owner may use its own code again (a withdrawn item republished), nobody else may.
    """

    kind = models.CharField(max_length=20, choices=CodeKind.choices)
    code = models.CharField(max_length=31)
    owner_public_id = models.UUIDField()
    issued_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("已发放编码")
        verbose_name_plural = _("已发放编码")
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="catalog_issued_code_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"
