"""情形引导 Scenario navigation: per item, single-choice questions whose answers decide which
situational conditions (情形条件) and which materials apply.

Rules (see :func:`yiwang.catalog.scenarios.applicable`):

* a material that no option *adds* is always asked for, unless a chosen option *removes* it;
* a material some option adds is asked for only when one of those options is chosen;
* the same holds for :class:`ScenarioCondition`, the conditions that depend on the situation (the
  item's general ``conditions`` text always applies).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models.items import Material, ServiceItem
from yiwang.core.models import TimeStampedModel

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"


class ScenarioCondition(TimeStampedModel):
    """情形条件 A condition that applies only in some situations, e.g. "委托代理人须具有完全民事行为能力"."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="scenario_conditions")
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "order", "pk"]
        verbose_name = _("情形条件")
        verbose_name_plural = _("情形条件")

    def __str__(self) -> str:
        return self.text[:40]


class ScenarioQuestion(TimeStampedModel):
    """情形问题 One single-choice question of an item, e.g. "本人办理还是委托代理人办理？"."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="scenario_questions")
    key = models.CharField(max_length=40, help_text=_("问题标识（小写字母、数字、下划线）, e.g. agent"))
    text = models.CharField(max_length=200)
    help_text = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["item", "order", "pk"]
        verbose_name = _("情形问题")
        verbose_name_plural = _("情形问题")
        constraints = [
            models.UniqueConstraint(fields=["item", "key"], name="catalog_scenario_question_key_unique")
        ]

    def __str__(self) -> str:
        return self.text


class ScenarioOption(TimeStampedModel):
    """情形选项 One answer to a question and what it changes."""

    question = models.ForeignKey(ScenarioQuestion, on_delete=models.CASCADE, related_name="options")
    value = models.CharField(max_length=40, help_text=_("选项标识, e.g. self / agent"))
    label = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)
    adds_materials = models.ManyToManyField(
        Material, blank=True, related_name="added_by_options", help_text=_("选择此项时才需要的材料")
    )
    removes_materials = models.ManyToManyField(
        Material, blank=True, related_name="removed_by_options", help_text=_("选择此项时不需要的材料")
    )
    adds_conditions = models.ManyToManyField(
        ScenarioCondition, blank=True, related_name="added_by_options", help_text=_("选择此项时适用的条件")
    )
    removes_conditions = models.ManyToManyField(
        ScenarioCondition,
        blank=True,
        related_name="removed_by_options",
        help_text=_("选择此项时不适用的条件"),
    )

    class Meta:
        ordering = ["question", "order", "pk"]
        verbose_name = _("情形选项")
        verbose_name_plural = _("情形选项")
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="catalog_scenario_option_value_unique")
        ]

    def __str__(self) -> str:
        return self.label
