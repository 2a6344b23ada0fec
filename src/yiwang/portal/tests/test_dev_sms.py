"""The demo SMS outbox: visible only when YIWANG_DEMO is on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from yiwang.accounts.models import SmsOutboxMessage

pytestmark = pytest.mark.django_db


def test_outbox_lists_messages_in_demo_mode(client, settings):
    settings.YIWANG_DEMO = True
    SmsOutboxMessage.objects.create(phone="13800000000", body="【合肥市政务服务网】您的验证码为 123456")
    response = client.get(reverse("portal:dev_sms"))
    assert response.status_code == 200
    assert "123456" in response.content.decode()


def test_outbox_is_404_outside_demo_mode(client, settings):
    settings.YIWANG_DEMO = False
    assert client.get(reverse("portal:dev_sms")).status_code == 404
