"""In-site messages (站内消息): the user's own, newest first, marked read once shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.accounts.models import InboxMessage

pytestmark = pytest.mark.django_db


def test_messages_list_and_mark_read(citizen_client, citizen, other_citizen, django_assert_max_num_queries):
    for n in range(5):
        InboxMessage.objects.create(user=citizen, title=f"办件通知{n}", body=f"内容{n}", link="/my/cases/")
    InboxMessage.objects.create(user=other_citizen, title="别人的消息", body="x")
    with django_assert_max_num_queries(8):
        response = citizen_client.get(reverse("portal:messages"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "办件通知4" in html and "办件通知0" in html
    assert html.index("办件通知4") < html.index("办件通知0")
    assert "别人的消息" not in html
    assert "未读" in html
    assert not InboxMessage.objects.filter(user=citizen, read_at__isnull=True).exists()
    assert InboxMessage.objects.filter(user=other_citizen, read_at__isnull=True).exists()


def test_anonymous_user_is_sent_to_login(client):
    assert client.get(reverse("portal:messages")).status_code == 302


def test_messages_are_ordered_by_when_the_event_happened(citizen_client, citizen):
    """A message the worker delivered late still takes its place by the event's time."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    event = datetime(2026, 9, 21, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    InboxMessage.objects.create(user=citizen, title="已受理", occurred_at=event + timedelta(hours=2))
    InboxMessage.objects.create(user=citizen, title="已提交", occurred_at=event)  # delivered last
    html = citizen_client.get(reverse("portal:messages")).content.decode()
    assert html.index("已受理") < html.index("已提交")
    assert "2026-09-21 10:00" in html
