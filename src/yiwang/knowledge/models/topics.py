"""热点 Counters of searches and entry views per day, for the hot topics of a day, week or month."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TopicKind(models.TextChoices):
    QUERY = "query", _("搜索")
    ENTRY = "entry", _("浏览")


class TopicCount(models.Model):
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=TopicKind.choices)
    key = models.CharField(max_length=100, help_text=_("normalised query, or the entry's public id"))
    label = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "kind", "key"], name="knowledge_one_counter_per_day")
        ]
        indexes = [models.Index(fields=["kind", "day"], name="knowledge_topic_kind_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.label}"
