"""JSON API of knowledge (/api/v1/knowledge/): public search, articles and hot topics, the
assistant (public, rate-limited by the ``api_write`` limits of ``core.ratelimit``), and the staff
endpoints to write, review, publish and withdraw entries.  Errors answer ``{"code","message","fields"}``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.utils import check_csrf

from yiwang.core.errors import PermissionDenied
from yiwang.core.paging import PageIn
from yiwang.knowledge import reads, search, services
from yiwang.knowledge.actions import entry_actions, is_editor
from yiwang.knowledge.errors import KnowledgeErrorCode
from yiwang.knowledge.models import Conversation, KnowledgeEntry
from yiwang.knowledge.schemas import (
    AssistantConversationOut,
    AssistantMessageIn,
    AssistantMessageOut,
    AssistantRatingIn,
    AssistantReplyOut,
    KnowledgeArticleOut,
    KnowledgeEntryFilter,
    KnowledgeEntryIn,
    KnowledgeEntryOut,
    KnowledgeEntryPageOut,
    KnowledgeEntryPatchIn,
    KnowledgeHitOut,
    KnowledgeHotTopicsIn,
    KnowledgeHotTopicsOut,
    KnowledgeReviewIn,
    KnowledgeSearchIn,
    KnowledgeSearchOut,
)
from yiwang.knowledge.session import assistant_session_key
from yiwang.web.ui import current_user

router = Router(tags=["knowledge"])


def hit_out(entry: KnowledgeEntry) -> KnowledgeHitOut:
    return KnowledgeHitOut(
        id=entry.public_id,
        kind=entry.kind,
        title=entry.title,
        category=entry.category,
        snippet=reads.snippet(entry),
        **reads.links(entry),
    )


def entry_out(user: Any, entry: KnowledgeEntry) -> KnowledgeEntryOut:
    return KnowledgeEntryOut(
        id=entry.public_id,
        kind=entry.kind,
        kind_label=str(entry.get_kind_display()),
        status=entry.status,
        status_label=str(entry.get_status_display()),
        title=entry.title,
        answer=entry.answer,
        category=entry.category,
        synonyms=entry.synonyms,
        department=entry.department.name if entry.department else "",
        source_key=entry.source_key,
        version=entry.version,
        hits=entry.hits,
        author=entry.author.get_username() if entry.author else "",
        reviewed_by=entry.reviewed_by.get_username() if entry.reviewed_by else "",
        review_comment=entry.review_comment,
        updated_at=entry.updated_at,
        published_at=entry.published_at,
        allowed_actions=sorted(entry_actions(user, entry)),
        **reads.links(entry),
    )


def _public_user(request: HttpRequest) -> Any:
    """The browser's user on a public endpoint; a logged-in session must carry the CSRF token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and request.method == "POST":
        refused = check_csrf(request)
        if refused is not None:
            raise PermissionDenied("CSRF 校验失败", code=KnowledgeErrorCode.FORBIDDEN)
    return user


# --- public --------------------------------------------------------------------------------------
@router.get("/search", auth=None, response=KnowledgeSearchOut, summary="Search the knowledge base (知识检索)")
def search_entries(request: HttpRequest, params: Query[KnowledgeSearchIn]) -> dict[str, Any]:
    hits = search.search(params.q, limit=params.limit, kind=params.kind)
    services.record_search(params.q)
    return {"count": len(hits), "results": [hit_out(hit.entry) for hit in hits]}


@router.get("/articles/{uuid:entry_id}", auth=None, response=KnowledgeArticleOut, summary="A published entry")
def read_article(request: HttpRequest, entry_id: UUID) -> KnowledgeArticleOut:
    entry = reads.get_published(entry_id)
    services.record_view(entry)
    return KnowledgeArticleOut(
        **hit_out(entry).dict(), answer=entry.answer, version=entry.version, updated_at=entry.updated_at
    )


@router.get("/hot-topics", auth=None, response=KnowledgeHotTopicsOut, summary="Hot topics (热点) by period")
def hot_topics(request: HttpRequest, params: Query[KnowledgeHotTopicsIn]) -> dict[str, Any]:
    return {
        "period": params.period,
        "queries": services.hot_topics(params.period, kind="query", limit=params.limit),
        "entries": services.hot_topics(params.period, kind="entry", limit=params.limit),
    }


@router.post(
    "/assistant/messages", auth=None, response=AssistantReplyOut, summary="Ask the assistant (智能客服)"
)
def assistant_message(request: HttpRequest, body: AssistantMessageIn) -> AssistantReplyOut:
    user = _public_user(request)
    conversation, message = services.post_message(
        body.text,
        user=user,
        session_key=assistant_session_key(request),
        conversation_id=body.conversation_id,
    )
    return AssistantReplyOut(
        conversation_id=conversation.public_id,
        intent=message.intent,
        text=message.text,
        sources=message.sources,
        ticket_code=conversation.ticket_code,
    )


def _conversation(request: HttpRequest, conversation_id: UUID) -> Conversation:
    return services.get_conversation(
        conversation_id, user=_public_user(request), session_key=request.session.session_key or ""
    )


def conversation_out(conversation: Conversation) -> AssistantConversationOut:
    return AssistantConversationOut(
        id=conversation.public_id,
        ticket_code=conversation.ticket_code,
        helpful=conversation.helpful,
        score=conversation.score,
        messages=[
            AssistantMessageOut(
                role=m.role, text=m.text, intent=m.intent, sources=m.sources, created_at=m.created_at
            )
            for m in conversation.messages.all()
        ],
    )


@router.get(
    "/assistant/conversations/{uuid:conversation_id}",
    auth=None,
    response=AssistantConversationOut,
    summary="My conversation with the assistant",
)
def read_conversation(request: HttpRequest, conversation_id: UUID) -> AssistantConversationOut:
    return conversation_out(_conversation(request, conversation_id))


@router.post(
    "/assistant/conversations/{uuid:conversation_id}/rating",
    auth=None,
    response=AssistantConversationOut,
    summary="Rate a conversation (评价)",
)
def rate_conversation(
    request: HttpRequest, conversation_id: UUID, body: AssistantRatingIn
) -> AssistantConversationOut:
    conversation = _conversation(request, conversation_id)
    return conversation_out(services.rate_conversation(conversation, helpful=body.helpful, score=body.score))


# --- staff ---------------------------------------------------------------------------------------
def _editor(request: HttpRequest) -> Any:
    user = current_user(request)
    if not is_editor(user):
        raise PermissionDenied("仅知识库编辑可访问", code=KnowledgeErrorCode.FORBIDDEN)
    return user


@router.get("/entries", response=KnowledgeEntryPageOut, summary="Entries (staff)")
def list_entries(
    request: HttpRequest, filters: Query[KnowledgeEntryFilter], paging: Query[PageIn]
) -> dict[str, Any]:
    user = _editor(request)
    rows = reads.entries(status=filters.status, kind=filters.kind, q=filters.q)
    return {"count": rows.count(), "results": [entry_out(user, e) for e in paging.window(rows)]}


@router.get("/proposals", response=KnowledgeEntryPageOut, summary="Drafts proposed from answered tickets")
def list_proposals(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    user = _editor(request)
    rows = reads.proposals()
    return {"count": rows.count(), "results": [entry_out(user, e) for e in paging.window(rows)]}


@router.post("/entries", response={201: KnowledgeEntryOut}, summary="Write an entry (draft)")
def create_entry(request: HttpRequest, body: KnowledgeEntryIn) -> Status:
    user = _editor(request)
    entry = services.create_entry(actor=user, **body.dict())
    return Status(201, entry_out(user, reads.get_entry(entry.public_id)))


@router.get("/entries/{uuid:entry_id}", response=KnowledgeEntryOut, summary="One entry (staff)")
def read_entry(request: HttpRequest, entry_id: UUID) -> KnowledgeEntryOut:
    user = _editor(request)
    return entry_out(user, reads.get_entry(entry_id))


@router.patch(
    "/entries/{uuid:entry_id}", response=KnowledgeEntryOut, summary="Edit a draft or withdrawn entry"
)
def update_entry(request: HttpRequest, entry_id: UUID, body: KnowledgeEntryPatchIn) -> KnowledgeEntryOut:
    user = _editor(request)
    entry = services.update_entry(reads.get_entry(entry_id), actor=user, **body.dict(exclude_none=True))
    return entry_out(user, reads.get_entry(entry.public_id))


@router.post("/entries/{uuid:entry_id}/submit", response=KnowledgeEntryOut, summary="提交审核")
def submit_entry(request: HttpRequest, entry_id: UUID) -> KnowledgeEntryOut:
    user = _editor(request)
    services.submit_entry(reads.get_entry(entry_id), actor=user)
    return entry_out(user, reads.get_entry(entry_id))


@router.post(
    "/entries/{uuid:entry_id}/review", response=KnowledgeEntryOut, summary="审核 (author ≠ reviewer)"
)
def review_entry(request: HttpRequest, entry_id: UUID, body: KnowledgeReviewIn) -> KnowledgeEntryOut:
    user = _editor(request)
    services.review_entry(reads.get_entry(entry_id), actor=user, approve=body.approve, comment=body.comment)
    return entry_out(user, reads.get_entry(entry_id))


@router.post("/entries/{uuid:entry_id}/publish", response=KnowledgeEntryOut, summary="发布")
def publish_entry(request: HttpRequest, entry_id: UUID) -> KnowledgeEntryOut:
    user = _editor(request)
    services.publish_entry(reads.get_entry(entry_id), actor=user)
    return entry_out(user, reads.get_entry(entry_id))


@router.post("/entries/{uuid:entry_id}/withdraw", response=KnowledgeEntryOut, summary="撤回")
def withdraw_entry(request: HttpRequest, entry_id: UUID) -> KnowledgeEntryOut:
    user = _editor(request)
    services.withdraw_entry(reads.get_entry(entry_id), actor=user)
    return entry_out(user, reads.get_entry(entry_id))
