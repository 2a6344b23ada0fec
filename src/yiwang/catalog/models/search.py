"""Search support of the catalogue: staff-managed synonyms (同义词) and item themes (主题分类).

The full-text index itself is not a Django model: on SQLite it is the FTS5 virtual table
``catalog_item_fts`` and on PostgreSQL a GIN index over ``ServiceItem.search_text`` (see
``catalog/migrations`` and :mod:`yiwang.catalog.search`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models.items import ServiceItem
from yiwang.core.models import TimeStampedModel


class Theme(models.TextChoices):
    """主题分类 (GB/T 39046 "themes"): the life events of natural persons (个人主题) and the
    business events of legal persons (法人主题), as used by the national platform's navigation."""

    # 个人主题 natural persons
    BIRTH = "p01", _("生育收养")
    HOUSEHOLD = "p02", _("户籍办理")
    EDUCATION = "p03", _("教育科研")
    EMPLOYMENT = "p04", _("就业创业")
    MARRIAGE = "p05", _("婚姻登记")
    SOCIAL_SECURITY = "p06", _("社会保障")
    MEDICAL = "p07", _("医疗卫生")
    HOUSING = "p08", _("住房保障")
    IDENTITY_DOCUMENTS = "p09", _("证件办理")
    TRANSPORT = "p10", _("交通出行")
    QUALIFICATION = "p11", _("职业资格")
    RETIREMENT = "p12", _("离职退休")
    ASSISTANCE = "p13", _("社会救助")
    DISABILITY = "p14", _("残疾人服务")
    ELDERLY = "p15", _("养老服务")
    # 法人主题 legal persons
    ESTABLISHMENT = "c01", _("设立变更")
    OPERATING_PERMITS = "c02", _("准营准办")
    CONSTRUCTION = "c03", _("投资审批与工程建设")
    LAND = "c04", _("国土和规划建设")
    HUMAN_RESOURCES = "c05", _("人力资源")
    FIRE_SAFETY = "c06", _("公安消防")
    ORGANISATIONS = "c07", _("社会组织")
    LOGISTICS = "c08", _("交通运输")


class ItemTheme(models.Model):
    """事项主题 One theme of an item (an item may have several)."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField(max_length=3, choices=Theme.choices, db_index=True)

    class Meta:
        ordering = ["item", "theme"]
        verbose_name = _("事项主题")
        verbose_name_plural = _("事项主题")
        constraints = [models.UniqueConstraint(fields=["item", "theme"], name="catalog_item_theme_unique")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.get_theme_display()}"


class Synonym(TimeStampedModel):
    """同义词 A term and the terms people use for the same thing (低保 = 最低生活保障).

    Equivalence is symmetric: a query containing any word of the group also finds items indexed
    under any other word of it.  Managed by service managers in the workbench.
    """

    term = models.CharField(max_length=50, unique=True, help_text=_("词条, e.g. 低保"))
    equivalents = models.JSONField(default=list, help_text=_('同义词列表, e.g. ["最低生活保障"]'))
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("同义词")
        verbose_name_plural = _("同义词")

    def __str__(self) -> str:
        return f"{self.term} = {'、'.join(self.equivalents)}"

    @property
    def words(self) -> list[str]:
        return [self.term, *[word for word in self.equivalents if word != self.term]]
