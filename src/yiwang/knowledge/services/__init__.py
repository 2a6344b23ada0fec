"""Use cases of knowledge: entries (write, review, publish), sync from the catalogue and tickets,
default FAQs, hot-topic counters and the assistant."""

from yiwang.knowledge.services.assistant import (
    answer,
    get_conversation,
    post_message,
    rate_conversation,
)
from yiwang.knowledge.services.defaults import install_defaults
from yiwang.knowledge.services.entries import (
    create_entry,
    publish_entry,
    review_entry,
    submit_entry,
    update_entry,
    withdraw_entry,
)
from yiwang.knowledge.services.sync import propose_from_tickets, sync_all, sync_guides
from yiwang.knowledge.services.topics import hot_topics, record_search, record_view

__all__ = [
    "answer",
    "create_entry",
    "get_conversation",
    "hot_topics",
    "install_defaults",
    "post_message",
    "propose_from_tickets",
    "publish_entry",
    "rate_conversation",
    "record_search",
    "record_view",
    "review_entry",
    "submit_entry",
    "sync_all",
    "sync_guides",
    "update_entry",
    "withdraw_entry",
]
