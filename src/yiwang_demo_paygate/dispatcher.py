"""The notification sender (通知发送): a background thread of the gateway process.

It wakes when a notification becomes due (or every PAYGATE_POLL_S), settles due refunds, closes
expired orders, and sends due notifications on a small thread pool; each attempt is signed afresh and
logged; a failed attempt is retried on PAYGATE_RETRY_SCHEDULE, then given up.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from yiwang_demo_paygate import services
from yiwang_demo_paygate.keys import configured
from yiwang_demo_paygate.models import Notification, NotificationAttempt, SeenNonce
from yiwang_demo_paygate.notifications import WAKE, retry_delay
from yiwang_demo_paygate.signing import NONCE_TTL_S, sign_headers

log = logging.getLogger(__name__)
BATCH = 50
HOUSEKEEPING_S = 30.0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer other than 200: the attempt failed


# No proxies from the environment: the merchant's notify_url is called directly.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def deliver(pk: int) -> bool:
    """One attempt of one claimed notification; True when the merchant answered 200 {"result":"ok"}."""
    close_old_connections()
    notification = Notification.objects.get(pk=pk)
    body = notification.body.encode()
    headers = sign_headers(configured()["gateway"]["private"], body)
    request = urllib.request.Request(  # noqa: S310 (the merchant's http(s) notify_url, checked on entry)
        notification.notify_url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **headers},
    )
    started = timezone.now()
    clock = time.monotonic()
    status: int | None = None
    text = error = ""
    try:
        with _OPENER.open(request, timeout=settings.PAYGATE_NOTIFY_TIMEOUT_S) as response:
            status = response.status
            text = response.read(2048).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status = exc.code
        text = exc.read(2048).decode("utf-8", "replace") if exc.fp else ""
    except (OSError, ValueError) as exc:  # refused, timed out, reset, bad URL
        error = f"{type(exc).__name__}: {exc}"[:200]
    ok = status == 200 and _is_ok(text)
    now = timezone.now()
    with transaction.atomic():
        attempts = notification.attempts + 1
        NotificationAttempt.objects.create(
            notification=notification,
            number=attempts,
            started_at=started,
            duration_ms=int((time.monotonic() - clock) * 1000),
            http_status=status,
            response_excerpt=text[:200],
            error=error,
            delivered=ok,
        )
        notification.attempts = attempts
        if ok:
            notification.state = Notification.State.DELIVERED
            notification.delivered_at = now
            notification.next_attempt_at = None
        else:
            delay = retry_delay(attempts)
            notification.state = (
                Notification.State.PENDING if delay is not None else Notification.State.GIVEN_UP
            )
            notification.next_attempt_at = None if delay is None else now + timedelta(seconds=delay)
        notification.save(update_fields=["attempts", "state", "delivered_at", "next_attempt_at"])
    log.info(
        "notification %s %s %s attempt %d -> %s %s",
        notification.notification_id,
        notification.kind,
        notification.status,
        attempts,
        status or error,
        notification.state,
    )
    return ok


def _is_ok(text: str) -> bool:
    try:
        answer = json.loads(text)
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("result") == "ok"


class Dispatcher:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="paygate-notify")
        self._housekeeping_at = 0.0

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            # What a previous process left half-sent is sent again (the merchant deduplicates).
            Notification.objects.filter(state=Notification.State.SENDING).update(
                state=Notification.State.PENDING
            )
            self._thread = threading.Thread(target=self._run, name="paygate-dispatcher", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            WAKE.wait(settings.PAYGATE_POLL_S)
            WAKE.clear()
            try:
                self.tick()
            except Exception:
                log.exception("paygate dispatcher tick failed")
            finally:
                close_old_connections()

    def tick(self) -> None:
        now = timezone.now()
        services.settle_due_refunds(now)
        if time.monotonic() - self._housekeeping_at > HOUSEKEEPING_S:
            self._housekeeping_at = time.monotonic()
            services.expire_due_orders(now)
            SeenNonce.objects.filter(seen_at__lt=now - timedelta(seconds=NONCE_TTL_S)).delete()
        due = Notification.objects.filter(state=Notification.State.PENDING, next_attempt_at__lte=now)
        for pk in due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH]:
            claimed = Notification.objects.filter(pk=pk, state=Notification.State.PENDING).update(
                state=Notification.State.SENDING
            )
            if claimed:
                self._pool.submit(self._send, pk)

    def _send(self, pk: int) -> None:
        try:
            deliver(pk)
        except Exception:
            log.exception("notification %s: delivery crashed", pk)
            Notification.objects.filter(pk=pk, state=Notification.State.SENDING).update(
                state=Notification.State.PENDING, next_attempt_at=timezone.now() + timedelta(seconds=5)
            )
        finally:
            close_old_connections()
            WAKE.set()  # a retry may be due soon


DISPATCHER = Dispatcher()
