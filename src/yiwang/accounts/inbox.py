"""站内信 In-site messages: the one way other apps put a message in a person's "my space".

Other apps call these functions instead of writing :class:`~yiwang.accounts.models.InboxMessage` rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from yiwang.accounts.models import InboxMessage, User

TITLE_MAX = 200
LINK_MAX = 300


def post_inbox_message(
    user: User | int,
    *,
    title: str,
    body: str = "",
    link: str = "",
    occurred_at: datetime | None = None,
) -> InboxMessage:
    """Put a message in ``user``'s inbox (a user or its primary key).

    ``occurred_at`` is when what the message tells of happened, not when it is delivered (a message
    sent late by the task worker still shows the event's time).
    """
    target = {"user": user} if isinstance(user, User) else {"user_id": user}
    return InboxMessage.objects.create(
        **target, title=title[:TITLE_MAX], body=body, link=link[:LINK_MAX], occurred_at=occurred_at
    )


def mark_messages_read(user: User, message_ids: Iterable[int]) -> int:
    """Mark the given messages of ``user`` read (others' ids are ignored); returns how many changed."""
    return InboxMessage.objects.filter(user=user, pk__in=list(message_ids), read_at__isnull=True).update(
        read_at=timezone.now()
    )
