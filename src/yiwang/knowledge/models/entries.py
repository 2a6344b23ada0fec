"""知识条目 Knowledge-base entries: guides built from the catalogue, FAQs written by staff and
entries proposed from answered tickets; reviewed before they are published."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yiwang.core.models import Organisation, TimeStampedModel


class EntryKind(models.TextChoices):
    GUIDE = "guide", _("办事指南")
    FAQ = "faq", _("常见问题")
    TICKET = "ticket", _("工单答复")


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("待审核")
    APPROVED = "approved", _("审核通过")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class KnowledgeEntry(TimeStampedModel):
    """知识条目 One question with its answer.  ``search_text`` holds the index words (jieba tokens,
    pinyin, initials, synonyms); see :mod:`yiwang.knowledge.search`."""

    kind = models.CharField(max_length=10, choices=EntryKind.choices, default=EntryKind.FAQ)
    status = models.CharField(
        max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT, db_index=True
    )
    title = models.CharField(max_length=200, help_text=_("问题/标题"))
    answer = models.TextField(help_text=_("答案（纯文本，可含简单列表）"))
    category = models.CharField(max_length=40, blank=True, help_text=_("分类, e.g. 账户 / 办件 / 缴费"))
    synonyms = models.CharField(max_length=300, blank=True, help_text=_("同义词/俗称，空格分隔"))
    department = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_key = models.CharField(
        max_length=80, blank=True, default="", help_text=_("来源键: item:<uuid> / ticket:<uuid> / faq:<slug>")
    )
    source_hash = models.CharField(max_length=64, blank=True, default="")
    version = models.PositiveIntegerField(default=0, help_text=_("发布次数"))
    hits = models.PositiveIntegerField(default=0, help_text=_("浏览/引用次数"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    title_pinyin = models.CharField(max_length=400, blank=True, editable=False)
    title_initials = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"], condition=~Q(source_key=""), name="knowledge_one_entry_per_source"
            )
        ]
        indexes = [models.Index(fields=["status", "kind"], name="knowledge_status_kind")]

    def __str__(self) -> str:
        return self.title
