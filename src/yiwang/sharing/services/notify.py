"""Messages to the other side of a request or grant, posted after the commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from yiwang.accounts.inbox import post_inbox_message
from yiwang.sharing.services.permissions import official_user_ids


def notify_users(user_ids: Iterable[int], *, title: str, body: str = "", link: str = "") -> None:
    """Post one in-site message to each user once the current transaction commits."""
    targets = sorted(set(user_ids))

    def send() -> None:
        for user_id in targets:
            post_inbox_message(user_id, title=title, body=body, link=link)

    transaction.on_commit(send)


def notify_officials(organisation_id: int, *, title: str, body: str = "", link: str = "") -> None:
    notify_users(official_user_ids(organisation_id), title=title, body=body, link=link)
