"""Schemas of the knowledge API (names prefixed Knowledge… / Assistant…)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from yiwang.knowledge.models import MAX_MESSAGE_LENGTH


class KnowledgeSearchIn(Schema):
    q: str = Field("", max_length=100, description="检索词（中文、拼音或首字母）")
    limit: int = Field(10, ge=1, le=50)
    kind: Literal["", "guide", "faq", "ticket"] = ""


class KnowledgeHitOut(Schema):
    id: UUID
    kind: str
    title: str
    category: str
    snippet: str
    url: str
    guide_url: str
    apply_url: str


class KnowledgeSearchOut(Schema):
    count: int
    results: list[KnowledgeHitOut]


class KnowledgeArticleOut(KnowledgeHitOut):
    answer: str
    version: int
    updated_at: datetime


class KnowledgeHotTopicOut(Schema):
    key: str
    label: str
    count: int


class KnowledgeHotTopicsIn(Schema):
    period: Literal["day", "week", "month"] = "week"
    limit: int = Field(10, ge=1, le=50)


class KnowledgeHotTopicsOut(Schema):
    period: str
    queries: list[KnowledgeHotTopicOut]
    entries: list[KnowledgeHotTopicOut]


class KnowledgeEntryIn(Schema):
    title: str = Field(..., max_length=200)
    answer: str = Field(..., max_length=10000)
    category: str = Field("", max_length=40)
    synonyms: str = Field("", max_length=300)
    kind: Literal["faq", "ticket"] = "faq"


class KnowledgeEntryPatchIn(Schema):
    title: str | None = Field(None, max_length=200)
    answer: str | None = Field(None, max_length=10000)
    category: str | None = Field(None, max_length=40)
    synonyms: str | None = Field(None, max_length=300)


class KnowledgeReviewIn(Schema):
    approve: bool
    comment: str = Field("", max_length=2000)


class KnowledgeEntryFilter(Schema):
    status: Literal["", "draft", "in_review", "approved", "published", "withdrawn"] = ""
    kind: Literal["", "guide", "faq", "ticket"] = ""
    q: str = Field("", max_length=100)


class KnowledgeEntryOut(Schema):
    id: UUID
    kind: str
    kind_label: str
    status: str
    status_label: str
    title: str
    answer: str
    category: str
    synonyms: str
    department: str
    source_key: str
    version: int
    hits: int
    author: str
    reviewed_by: str
    review_comment: str
    updated_at: datetime
    published_at: datetime | None
    url: str
    guide_url: str
    apply_url: str
    allowed_actions: list[str]


class KnowledgeEntryPageOut(Schema):
    count: int
    results: list[KnowledgeEntryOut]


class AssistantMessageIn(Schema):
    text: str = Field(..., min_length=1, max_length=MAX_MESSAGE_LENGTH)
    conversation_id: UUID | None = None


class AssistantSourceOut(Schema):
    title: str
    url: str


class AssistantMessageOut(Schema):
    role: str
    text: str
    intent: str
    sources: list[AssistantSourceOut]
    created_at: datetime


class AssistantReplyOut(Schema):
    conversation_id: UUID
    intent: str
    text: str
    sources: list[AssistantSourceOut]
    ticket_code: str


class AssistantConversationOut(Schema):
    id: UUID
    ticket_code: str
    helpful: bool | None
    score: int | None
    messages: list[AssistantMessageOut]


class AssistantRatingIn(Schema):
    helpful: bool
    score: int | None = Field(None, ge=1, le=5)
