from yiwang.knowledge.models.conversations import (
    MAX_MESSAGE_LENGTH,
    MAX_MESSAGES,
    Conversation,
    Message,
    MessageRole,
)
from yiwang.knowledge.models.entries import EntryKind, EntryStatus, KnowledgeEntry
from yiwang.knowledge.models.topics import TopicCount, TopicKind

__all__ = [
    "MAX_MESSAGES",
    "MAX_MESSAGE_LENGTH",
    "Conversation",
    "EntryKind",
    "EntryStatus",
    "KnowledgeEntry",
    "Message",
    "MessageRole",
    "TopicCount",
    "TopicKind",
]
