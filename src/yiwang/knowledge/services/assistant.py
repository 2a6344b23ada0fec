"""智能客服 The assistant: a message in, an answer out, each answer citing its sources.

The intent (:mod:`yiwang.knowledge.intents`) picks the handler: 如何办理 → the item's guide entry
with links to the guide and apply pages; 材料 → the item's material list; 进度 → the status lookup
(and, logged in, the user's recent cases); 投诉 → the offer to file a ticket; greetings; anything
else → the knowledge base.  An answer it cannot give counts as a miss; the second miss in a row, or
asking for a person (人工/转人工), hands the conversation over: a ticket (channel ``assistant``) with
the conversation attached, and the answer gives its number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from yiwang.accounts.models import AccountKind
from yiwang.cases.models import Case
from yiwang.cases.reads import status_label
from yiwang.catalog.models import Material, ServiceItem
from yiwang.catalog.search import search_items
from yiwang.core import audit
from yiwang.core.errors import Conflict, DomainError, NotFound
from yiwang.knowledge import search
from yiwang.knowledge.errors import KnowledgeErrorCode
from yiwang.knowledge.intents import Intent, parse
from yiwang.knowledge.models import (
    MAX_MESSAGE_LENGTH,
    MAX_MESSAGES,
    Conversation,
    EntryStatus,
    KnowledgeEntry,
    Message,
    MessageRole,
)
from yiwang.knowledge.services.topics import record_view
from yiwang.tickets.models import TicketCategory, TicketChannel
from yiwang.tickets.services.intake import create_ticket

MISSES_BEFORE_HANDOVER = 2
CONFIDENT_TIER = 2  # a knowledge hit whose title has every word of the question
RECENT_CASES = 3


@dataclass
class Reply:
    text: str
    intent: str
    sources: list[dict[str, str]] = field(default_factory=list)
    missed: bool = False
    handover: bool = False


def entry_url(entry: KnowledgeEntry) -> str:
    return reverse("knowledge_public:entry", args=[entry.public_id])


def guide_url(item: ServiceItem) -> str:
    return reverse("portal:item_guide", args=[item.public_id])


def apply_url(item: ServiceItem) -> str:
    return reverse("portal:apply", args=[item.public_id])


def _owner_filter(user: Any, session_key: str) -> dict[str, Any]:
    if getattr(user, "is_authenticated", False):
        return {"user": user}
    if not session_key:
        raise NotFound("会话不存在", code=KnowledgeErrorCode.NOT_FOUND)
    return {"user__isnull": True, "session_key": session_key}


def get_conversation(public_id: UUID | str, *, user: Any, session_key: str = "") -> Conversation:
    """The caller's conversation (their own, or their session's when anonymous); else 404."""
    conversation = Conversation.objects.filter(
        public_id=public_id, **_owner_filter(user, session_key)
    ).first()
    if conversation is None:
        raise NotFound("会话不存在", code=KnowledgeErrorCode.NOT_FOUND)
    return conversation


def _guide_entry(item: ServiceItem) -> KnowledgeEntry | None:
    return KnowledgeEntry.objects.filter(
        source_key=f"item:{item.public_id}", status=EntryStatus.PUBLISHED
    ).first()


def _find_item(topic: str) -> ServiceItem | None:
    if not topic.strip():
        return None
    items, _total = search_items(topic, limit=1)
    return items[0] if items else None


def _item_sources(item: ServiceItem, entry: KnowledgeEntry | None) -> list[dict[str, str]]:
    sources = []
    if entry is not None:
        sources.append({"title": entry.title, "url": entry_url(entry)})
    sources.append({"title": f"办事指南：{item.name}", "url": guide_url(item)})
    if item.online_apply:
        sources.append({"title": f"在线申请：{item.name}", "url": apply_url(item)})
    return sources


def _howto(topic: str) -> Reply | None:
    item = _find_item(topic)
    if item is None:
        return None
    entry = _guide_entry(item)
    if entry is not None:
        record_view(entry)
    lines = [f"{item.name}由{item.implementing_body.name}办理。"]
    lines.append(
        f"承诺办结时限{item.committed_limit_days}个工作日，"
        + ("可全程网上申请。" if item.online_apply else "请到窗口办理。")
    )
    if item.place:
        lines.append(f"办理地点：{item.place}")
    lines.append("详细的办理条件、材料和流程请查看办事指南。")
    return Reply("\n".join(lines), Intent.HOWTO, _item_sources(item, entry))


def _materials(topic: str) -> Reply | None:
    item = _find_item(topic)
    if item is None:
        return None
    materials = list(
        Material.objects.filter(item=item).order_by("order", "pk").values_list("name", "mandatory")
    )
    entry = _guide_entry(item)
    if not materials:
        text = f"{item.name}无需提交申请材料，详见办事指南。"
    else:
        rows = [
            f"{n}. {name}{'' if mandatory else '（非必需）'}"
            for n, (name, mandatory) in enumerate(materials, 1)
        ]
        text = f"办理{item.name}需要以下材料：\n" + "\n".join(rows)
    return Reply(text, Intent.MATERIALS, _item_sources(item, entry))


def _progress(user: Any, case_number: str) -> Reply:
    lookup = reverse("portal:status_lookup")
    sources = [{"title": "办件查询", "url": lookup + (f"?number={case_number}" if case_number else "")}]
    lines = ["您可以在“办件查询”中输入办件编号和证件号码后4位查询进度。"]
    if getattr(user, "is_authenticated", False) and user.kind != AccountKind.STAFF:
        cases = list(
            Case.objects.filter(applicant=user)
            .order_by("-created_at", "-pk")
            .values_list("public_id", "number", "status", "item__name")[:RECENT_CASES]
        )
        if cases:
            lines.append("您最近的办件：")
            for public_id, number, status, item_name in cases:
                lines.append(f"· {item_name}（{number}）：{status_label(status)}")
                sources.append(
                    {
                        "title": f"我的办件：{item_name}",
                        "url": reverse("portal:case_detail", args=[public_id]),
                    }
                )
        sources.append({"title": "我的办件", "url": reverse("portal:my_cases")})
    return Reply("\n".join(lines), Intent.PROGRESS, sources)


def _knowledge(question: str, intent: str = Intent.QUESTION) -> Reply:
    hits = search.search(question, limit=3)
    if hits and hits[0].tier <= CONFIDENT_TIER:
        entry = hits[0].entry
        record_view(entry)
        sources = [{"title": entry.title, "url": entry_url(entry)}]
        if entry.item_id and entry.item is not None:
            sources.append({"title": f"办事指南：{entry.item.name}", "url": guide_url(entry.item)})
        return Reply(entry.answer, intent, sources)
    if hits:
        sources = [{"title": hit.entry.title, "url": entry_url(hit.entry)} for hit in hits]
        return Reply("没有找到完全匹配的答案，您可能想问：", intent, sources, missed=True)
    return Reply(
        "抱歉，我没有理解您的问题。您可以换个说法，或回复“转人工”由工作人员为您解答。",
        Intent.QUESTION,
        [],
        missed=True,
    )


def answer(text: str, *, user: Any, conversation: Conversation | None = None) -> Reply:
    """The reply to one message (no writes except hit counters)."""
    parsed = parse(text)
    if parsed.intent == Intent.HUMAN:
        return Reply("", Intent.HUMAN, handover=True)
    if parsed.intent == Intent.GREETING:
        return Reply(
            "您好！我是智能客服，可以为您解答办事指南、所需材料、办件进度等问题。请问有什么可以帮您？",
            Intent.GREETING,
        )
    if parsed.intent == Intent.THANKS:
        return Reply("不客气，欢迎随时咨询。您可以对本次服务进行评价。", Intent.THANKS)
    if parsed.intent == Intent.COMPLAINT:
        return Reply(
            "很抱歉给您带来不便。如需投诉或举报，请回复“转人工”，我们将为您登记工单并由相关部门在规定时限内答复；"
            "也可拨打12345政务服务便民热线。",
            Intent.COMPLAINT,
            [{"title": "如何投诉", "url": reverse("knowledge_public:index") + "?q=投诉"}],
        )
    if parsed.intent == Intent.PROGRESS:
        return _progress(user, parsed.case_number)
    if parsed.intent in (Intent.HOWTO, Intent.MATERIALS):
        found = _materials(parsed.topic) if parsed.intent == Intent.MATERIALS else _howto(parsed.topic)
        if found is not None:
            return found
        return _knowledge(text, parsed.intent)
    return _knowledge(text)


def _transcript(conversation: Conversation) -> list[dict[str, str]]:
    return [{"role": role, "text": body} for role, body in conversation.messages.values_list("role", "text")]


def _handover(conversation: Conversation, user: Any, last_text: str) -> Reply:
    if conversation.ticket_code:
        return Reply(
            f"您的问题已转人工处理，工单编号 {conversation.ticket_code}，工作人员会尽快联系您。",
            Intent.HUMAN,
            handover=True,
        )
    transcript = _transcript(conversation)
    complaint = any(
        parse(turn["text"]).intent == Intent.COMPLAINT for turn in transcript if turn["role"] == "user"
    )
    questions = [turn["text"] for turn in transcript if turn["role"] == MessageRole.USER]
    first = next((q for q in questions if parse(q).intent != Intent.HUMAN), last_text)
    actor = user if getattr(user, "is_authenticated", False) and user.kind != AccountKind.STAFF else None
    ticket = create_ticket(
        actor=actor,
        category=TicketCategory.COMPLAINT if complaint else TicketCategory.CONSULTATION,
        title=("智能客服转人工：" + first)[:200],
        content="\n".join(questions)[:4000] or first,
        channel=TicketChannel.ASSISTANT,
        conversation=transcript,
    )
    conversation.ticket_public_id = ticket.public_id
    conversation.ticket_code = ticket.number
    conversation.handed_over_at = timezone.now()
    conversation.save(update_fields=["ticket_public_id", "ticket_code", "handed_over_at", "updated_at"])
    audit.record(
        "knowledge.conversation.handed_over", actor=actor, obj=conversation, detail={"ticket": ticket.number}
    )
    return Reply(
        f"已为您转人工服务，工单编号 {ticket.number}。工作人员会在规定时限内答复，您可凭工单编号查询处理进度。",
        Intent.HUMAN,
        handover=True,
    )


def post_message(
    text: str, *, user: Any, session_key: str = "", conversation_id: UUID | str | None = None
) -> tuple[Conversation, Message]:
    """Send one message to the assistant; returns the conversation and the assistant's answer."""
    text = (text or "").strip()
    if not text:
        raise DomainError(KnowledgeErrorCode.TEXT_REQUIRED, "请输入您的问题", {"text": ["必填"]})
    text = text[:MAX_MESSAGE_LENGTH]
    owner = _owner_filter(user, session_key)
    with transaction.atomic():
        if conversation_id:
            conversation = (
                Conversation.objects.select_for_update().filter(public_id=conversation_id, **owner).first()
            )
            if conversation is None:
                raise NotFound("会话不存在", code=KnowledgeErrorCode.NOT_FOUND)
        else:
            conversation = Conversation.objects.create(
                user=user if getattr(user, "is_authenticated", False) else None,
                session_key="" if getattr(user, "is_authenticated", False) else session_key,
            )
        if conversation.message_count + 2 > MAX_MESSAGES:
            raise Conflict("本次会话消息过多，请开始新的会话", code=KnowledgeErrorCode.CONVERSATION_FULL)
        Message.objects.create(conversation=conversation, role=MessageRole.USER, text=text)
        reply = answer(text, user=user, conversation=conversation)
        misses = conversation.misses + 1 if reply.missed else 0
        if reply.handover or misses >= MISSES_BEFORE_HANDOVER:
            if reply.missed:
                handed = _handover(conversation, user, text)
                reply = Reply(reply.text + "\n" + handed.text, Intent.HUMAN, reply.sources, handover=True)
            else:
                reply = _handover(conversation, user, text)
            misses = 0
        message = Message.objects.create(
            conversation=conversation,
            role=MessageRole.ASSISTANT,
            text=reply.text,
            intent=str(reply.intent),
            sources=reply.sources,
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            message_count=F("message_count") + 2,
            misses=misses,
            last_intent=str(reply.intent),
            updated_at=timezone.now(),
        )
        conversation.refresh_from_db()
    return conversation, message


def rate_conversation(conversation: Conversation, *, helpful: bool, score: int | None = None) -> Conversation:
    """评价 Helpful or not, and 1–5 (once per conversation)."""
    if score is not None and not 1 <= score <= 5:
        raise DomainError(KnowledgeErrorCode.TEXT_REQUIRED, "评分须为 1–5", {"score": [str(score)]})
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if locked.rated_at is not None:
            raise Conflict("本次会话已评价", code=KnowledgeErrorCode.ALREADY_RATED)
        locked.helpful = helpful
        locked.score = score
        locked.rated_at = timezone.now()
        locked.save(update_fields=["helpful", "score", "rated_at", "updated_at"])
        audit.record("knowledge.conversation.rated", obj=locked, detail={"helpful": helpful, "score": score})
    return locked
