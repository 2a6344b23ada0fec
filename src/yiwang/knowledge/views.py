"""Pages of knowledge: the public help centre under /help/ (search, hot topics, categories, entry
pages, the assistant page that the widget posts to with htmx and that works without JavaScript),
and the staff pages under /workbench/knowledge/ (entries, editing, review queue, proposals)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.core import ratelimit
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.middleware import client_ip
from yiwang.core.paging import paginate
from yiwang.knowledge import reads, search, services
from yiwang.knowledge.actions import entry_actions, is_editor
from yiwang.knowledge.errors import KnowledgeErrorCode
from yiwang.knowledge.models import MAX_MESSAGE_LENGTH, EntryKind, EntryStatus
from yiwang.knowledge.session import assistant_session_key
from yiwang.web.ui import current_user, domain_errors, staff_required

PER_PAGE = 50
SESSION_CONVERSATION = "knowledge_conversation"
ASSISTANT_LIMIT = ratelimit.Limit(30, 60)  # messages per address and minute on the page endpoint
ACTIONS = {
    "submit": services.submit_entry,
    "publish": services.publish_entry,
    "withdraw": services.withdraw_entry,
}


# --- public --------------------------------------------------------------------------------------
def help_index(request: HttpRequest) -> HttpResponse:
    """帮助中心 Search box, results, hot topics and categories."""
    query = request.GET.get("q", "").strip()[:100]
    period = request.GET.get("period", "week")
    if period not in services.topics.PERIOD_DAYS:
        period = "week"
    hits = search.search(query, limit=20) if query else []
    if query:
        services.record_search(query)
    results = [
        {"entry": hit.entry, "snippet": reads.snippet(hit.entry), **reads.links(hit.entry)} for hit in hits
    ]
    return render(
        request,
        "knowledge/help_index.html",
        {
            "query": query,
            "results": results,
            "period": period,
            "periods": [("day", _("今日")), ("week", _("本周")), ("month", _("本月"))],
            "hot_queries": services.hot_topics(period, kind="query", limit=10),
            "hot_entries": services.hot_topics(period, kind="entry", limit=10),
            "categories": reads.categories(),
        },
    )


def help_entry(request: HttpRequest, entry_id: UUID) -> HttpResponse:
    try:
        entry = reads.get_published(entry_id)
    except DomainError as exc:
        raise Http404 from exc
    services.record_view(entry)
    return render(request, "knowledge/help_entry.html", {"entry": entry, **reads.links(entry)})


def _conversation_context(request: HttpRequest) -> dict[str, object]:
    conversation_id = request.session.get(SESSION_CONVERSATION)
    conversation = None
    if conversation_id:
        try:
            conversation = services.get_conversation(
                conversation_id, user=request.user, session_key=request.session.session_key or ""
            )
        except DomainError:
            conversation = None
    messages = list(conversation.messages.all()) if conversation else []
    return {"conversation": conversation, "chat_messages": messages, "max_length": MAX_MESSAGE_LENGTH}


def _rate_limited(request: HttpRequest) -> int:
    return ratelimit.hit("knowledge_assistant", f"ip:{client_ip(request) or ''}", ASSISTANT_LIMIT)


def assistant(request: HttpRequest) -> HttpResponse:
    """GET: the conversation as a page; POST: one message (htmx: the new exchange as a fragment)."""
    htmx = bool(request.headers.get("HX-Request"))
    if request.method == "POST":
        wait = _rate_limited(request)
        if wait:
            return ratelimit.too_many_requests(request, wait)
        text = request.POST.get("text", "")
        error = ""
        try:
            conversation, reply = services.post_message(
                text,
                user=request.user,
                session_key=assistant_session_key(request),
                conversation_id=request.session.get(SESSION_CONVERSATION) or None,
            )
        except DomainError as exc:
            if exc.code == KnowledgeErrorCode.NOT_FOUND:  # a stale conversation: start a new one
                request.session.pop(SESSION_CONVERSATION, None)
                conversation, reply = services.post_message(
                    text, user=request.user, session_key=assistant_session_key(request)
                )
            elif htmx:
                return render(
                    request, "knowledge/_chat_error.html", {"message": exc.message}, status=exc.status
                )
            else:
                error = exc.message
                conversation, reply = None, None  # type: ignore[assignment]
        if conversation is not None:
            request.session[SESSION_CONVERSATION] = str(conversation.public_id)
        if htmx and reply is not None:
            return render(
                request,
                "knowledge/_chat_exchange.html",
                {"question": text.strip()[:MAX_MESSAGE_LENGTH], "reply": reply, "conversation": conversation},
            )
        if error:
            flash.error(request, error)
        return redirect("knowledge_public:assistant")
    return render(request, "knowledge/assistant_page.html", _conversation_context(request))


@require_POST
def assistant_new(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_CONVERSATION, None)
    return redirect("knowledge_public:assistant")


@require_POST
def assistant_rate(request: HttpRequest) -> HttpResponse:
    context = _conversation_context(request)
    conversation = context["conversation"]
    if conversation is None:
        raise Http404
    helpful = request.POST.get("helpful") == "yes"
    try:
        score = int(request.POST.get("score", "") or 0) or None
    except ValueError:
        score = None
    message = _("感谢您的评价！")
    try:
        services.rate_conversation(conversation, helpful=helpful, score=score)  # type: ignore[arg-type]
    except DomainError as exc:
        message = exc.message
    if request.headers.get("HX-Request"):
        return render(request, "knowledge/_chat_rated.html", {"message": message})
    flash.info(request, message)
    return redirect("knowledge_public:assistant")


# --- staff ---------------------------------------------------------------------------------------
def _editor(request: HttpRequest) -> None:
    if not is_editor(current_user(request)):
        raise PermissionDenied(_("仅知识库编辑可访问"), code=KnowledgeErrorCode.FORBIDDEN)


def _list(request: HttpRequest, rows: object, title: str, tab: str) -> HttpResponse:
    page = paginate(request.GET, rows, PER_PAGE)
    return render(
        request,
        "knowledge/entries.html",
        {
            "page": page,
            "title": title,
            "tab": tab,
            "status": request.GET.get("status", ""),
            "kind": request.GET.get("kind", ""),
            "q": request.GET.get("q", "")[:100],
            "statuses": EntryStatus.choices,
            "kinds": EntryKind.choices,
        },
    )


@staff_required
@domain_errors
def entry_list(request: HttpRequest) -> HttpResponse:
    _editor(request)
    rows = reads.entries(
        status=request.GET.get("status", ""), kind=request.GET.get("kind", ""), q=request.GET.get("q", "")
    )
    return _list(request, rows, _("知识条目"), "entries")


@staff_required
@domain_errors
def review_queue(request: HttpRequest) -> HttpResponse:
    _editor(request)
    return _list(request, reads.review_queue(), _("待审核"), "review")


@staff_required
@domain_errors
def proposal_list(request: HttpRequest) -> HttpResponse:
    _editor(request)
    return _list(request, reads.proposals(), _("工单提炼"), "proposals")


def _form_values(request: HttpRequest) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in ("title", "answer", "category", "synonyms")}


@staff_required
@domain_errors
def entry_new(request: HttpRequest) -> HttpResponse:
    _editor(request)
    user = current_user(request)
    values = {"title": "", "answer": "", "category": "", "synonyms": ""}
    error = None
    if request.method == "POST":
        values = _form_values(request)
        try:
            entry = services.create_entry(actor=user, **values)  # type: ignore[arg-type]
        except DomainError as exc:
            error = exc
        else:
            flash.success(request, _("已保存为草稿"))
            return redirect("knowledge:entry", entry.public_id)
    return render(request, "knowledge/entry_form.html", {"values": values, "error": error, "entry": None})


@staff_required
@domain_errors
def entry_detail(request: HttpRequest, entry_id: UUID) -> HttpResponse:
    _editor(request)
    user = current_user(request)
    entry = reads.get_entry(entry_id)
    error = None
    values = {name: getattr(entry, name) for name in ("title", "answer", "category", "synonyms")}
    if request.method == "POST":
        values = _form_values(request)
        try:
            services.update_entry(entry, actor=user, **values)
        except DomainError as exc:
            error = exc
        else:
            flash.success(request, _("已保存"))
            return redirect("knowledge:entry", entry.public_id)
    return render(
        request,
        "knowledge/entry_form.html",
        {
            "entry": entry,
            "values": values,
            "error": error,
            "actions": entry_actions(user, entry),
            **reads.links(entry),
        },
    )


@staff_required
@require_POST
@domain_errors
def entry_act(request: HttpRequest, entry_id: UUID, action: str) -> HttpResponse:
    _editor(request)
    user = current_user(request)
    entry = reads.get_entry(entry_id)
    if action in ("approve", "reject"):
        services.review_entry(
            entry, actor=user, approve=action == "approve", comment=request.POST.get("comment", "")
        )
    elif action in ACTIONS:
        ACTIONS[action](entry, actor=user)
    else:
        raise Http404
    flash.success(request, _("操作成功"))
    return redirect("knowledge:entry", entry.public_id)
