"""Pluggable SMS backends (短信网关).

The default :class:`OutboxSMSBackend` "sends" by storing the message in the outbox table (shown in
the demo at /dev/sms/) and printing it, so the demo and the tests work offline.  A real gateway
implements :class:`SMSBackend` and is selected with ``YIWANG_SMS_BACKEND``.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from yiwang.accounts.models import SmsOutboxMessage

logger = logging.getLogger(__name__)


class SMSBackend(Protocol):
    def send(self, phone: str, body: str) -> None: ...


class OutboxSMSBackend:
    def send(self, phone: str, body: str) -> None:
        SmsOutboxMessage.objects.create(phone=phone, body=body)
        logger.info("SMS to %s: %s", phone, body)
        print(f"[短信] {phone}: {body}", flush=True)


def get_backend() -> SMSBackend:
    backend: SMSBackend = import_string(settings.YIWANG_SMS_BACKEND)()
    return backend


def send_sms(phone: str, body: str) -> None:
    get_backend().send(phone, body)
