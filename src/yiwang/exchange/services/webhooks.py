"""Webhook deliveries (回调投递): at least once, signed, retried with backoff and jitter, dead letters
kept for replay.

A worker claims due rows (``pending`` and due, or ``delivering`` whose lease ran out because the worker
that claimed them died) in one short transaction, sends them over HTTP outside it, then records each
outcome. A crash between the send and the record leaves the row ``delivering``; when its lease runs
out it is sent again — receivers dedupe on ``X-Yiwang-Event-Id``.
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from yiwang.core import audit
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.exchange.errors import ExchangeErrorCode
from yiwang.exchange.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from yiwang.exchange.services.outgoing import backoff_seconds, setting
from yiwang.exchange.webhook_signing import (
    ATTEMPT_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOPIC_HEADER,
    signature_value,
)

logger = logging.getLogger("yiwang.exchange")


def max_attempts() -> int:
    return int(setting("YIWANG_WEBHOOK_MAX_ATTEMPTS", 8))


# --- endpoints and enqueueing -----------------------------------------------------------------------
def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "回调地址不正确", {"url": ["须为 http(s) 地址"]})


def create_endpoint(
    *, owner: str, url: str, secret: str, active: bool = True, actor: Any = None
) -> WebhookEndpoint:
    """Register where ``owner`` (e.g. ``sharing.subscription:<uuid>``) wants its events sent."""
    _check_url(url)
    if not owner or len(owner) > 200 or not 16 <= len(secret) <= 200:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, "回调设置不正确", {"secret": ["签名密钥须为 16–200 个字符"]}
        )
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(owner=owner, url=url, secret=secret, active=active)
        audit.record(
            "exchange.endpoint_created", actor=actor, obj=endpoint, detail={"owner": owner, "url": url}
        )
    return endpoint


def update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str | None = None,
    secret: str | None = None,
    active: bool | None = None,
    actor: Any = None,
) -> WebhookEndpoint:
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        changed: list[str] = []
        if url is not None:
            _check_url(url)
            endpoint.url, changed = url, [*changed, "url"]
        if secret is not None:
            endpoint.secret, changed = secret, [*changed, "secret"]
        if active is not None:
            endpoint.active, changed = active, [*changed, "active"]
        endpoint.save(update_fields=[*changed, "updated_at"])
        audit.record("exchange.endpoint_updated", actor=actor, obj=endpoint, detail={"changed": changed})
    return endpoint


def _check_event(topic: str, event_id: str) -> None:
    if not topic or len(topic) > 100 or not event_id or len(event_id) > 200:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "事件不正确",
            {"event_id": ["主题与事件编号须为 1–100 / 1–200 个字符"]},
        )


def enqueue_webhook(
    endpoint: WebhookEndpoint, topic: str, payload: Mapping[str, Any], event_id: str
) -> WebhookDelivery:
    """Queue ``payload`` for ``endpoint`` once: the same ``event_id`` again returns the existing delivery."""
    _check_event(topic, event_id)
    body = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
    existing = WebhookDelivery.objects.filter(endpoint=endpoint, event_id=event_id).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                endpoint=endpoint,
                event_id=event_id,
                topic=topic,
                payload=body,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return WebhookDelivery.objects.get(endpoint=endpoint, event_id=event_id)
    _kick_on_commit()
    return delivery


def fan_out(
    endpoints: Iterable[WebhookEndpoint], topic: str, payload: Mapping[str, Any], event_id: str
) -> int:
    """One event to many endpoints in one insert (existing (endpoint, event) pairs are skipped)."""
    _check_event(topic, event_id)
    body = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
    now = timezone.now()
    rows = [
        WebhookDelivery(endpoint=endpoint, event_id=event_id, topic=topic, payload=body, next_attempt_at=now)
        for endpoint in endpoints
    ]
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    _kick_on_commit()
    return len(rows)


def enqueue_webhooks(events: Iterable[tuple[WebhookEndpoint, str, Mapping[str, Any], str]]) -> int:
    """Many ``(endpoint, topic, payload, event_id)`` at once, in batched inserts: what
    :func:`enqueue_webhook` does for each, with the (endpoint, event) pairs already queued skipped.
    Answers how many were given (a replayed batch queues nothing new)."""
    now = timezone.now()
    rows = []
    for endpoint, topic, payload, event_id in events:
        _check_event(topic, event_id)
        body = json.loads(json.dumps(payload, ensure_ascii=False, default=str))
        rows.append(
            WebhookDelivery(
                endpoint=endpoint, event_id=event_id, topic=topic, payload=body, next_attempt_at=now
            )
        )
    if rows:
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        _kick_on_commit()
    return len(rows)


def _kick_on_commit() -> None:
    if setting("YIWANG_WEBHOOK_DELIVER_ON_COMMIT", True):
        transaction.on_commit(lambda: deliver_webhooks_task.enqueue())


# --- delivering -------------------------------------------------------------------------------------
@dataclass
class DeliveryReport:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    errors: dict[str, int] = field(default_factory=dict)


_local = threading.local()


def _send(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """POST over a keep-alive connection of this thread; (status, error)."""
    parts = urlsplit(url)
    key = (parts.scheme, parts.hostname, parts.port)
    connections: dict[Any, http.client.HTTPConnection] = getattr(_local, "connections", None) or {}
    _local.connections = connections
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    for attempt in range(2):  # a kept-alive connection the server closed gets one fresh try
        conn = connections.get(key)
        if conn is None:
            cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
            conn = connections[key] = cls(parts.hostname or "", parts.port, timeout=timeout)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read(64 * 1024)
            if response.will_close:
                conn.close()
                connections.pop(key, None)
            return response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}"
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            connections.pop(key, None)
            if attempt == 1 or isinstance(exc, TimeoutError):
                return None, f"{type(exc).__name__}: {exc}"[:500]
    return None, "unreachable"


def _deliver(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = json.dumps(
        {
            "id": delivery.event_id,
            "topic": delivery.topic,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Yiwang-Webhooks/1",
        EVENT_HEADER: delivery.event_id,
        TOPIC_HEADER: delivery.topic,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature_value(delivery.endpoint.secret, timestamp, body),
        ATTEMPT_HEADER: str(delivery.attempts),
    }
    return _send(delivery.endpoint.url, body, headers, float(setting("YIWANG_WEBHOOK_TIMEOUT_SECONDS", 10)))


def claim_due(now: datetime, limit: int) -> list[WebhookDelivery]:
    lease = timedelta(seconds=setting("YIWANG_WEBHOOK_LEASE_SECONDS", 120))
    with transaction.atomic():
        due = (
            WebhookDelivery.objects.filter(
                Q(state=DeliveryState.PENDING, next_attempt_at__lte=now)
                | Q(state=DeliveryState.DELIVERING, lease_until__lt=now)
            )
            .filter(endpoint__active=True)
            .order_by("next_attempt_at", "id")
        )
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        WebhookDelivery.objects.filter(id__in=ids).update(
            state=DeliveryState.DELIVERING,
            lease_until=now + lease,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    return list(WebhookDelivery.objects.filter(id__in=ids).select_related("endpoint"))


def deliver_due(*, now: datetime | None = None, limit: int = 500, workers: int = 8) -> DeliveryReport:
    """Claim up to ``limit`` due deliveries, send them on ``workers`` threads, record the outcomes."""
    now = now or timezone.now()
    report = DeliveryReport()
    batch = claim_due(now, limit)
    report.claimed = len(batch)
    if not batch:
        return report
    if workers > 1 and len(batch) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_deliver, batch))
    else:
        outcomes = [_deliver(delivery) for delivery in batch]
    _record(batch, outcomes, report)
    return report


def _record(
    batch: list[WebhookDelivery], outcomes: list[tuple[int | None, str]], report: DeliveryReport
) -> None:
    done = timezone.now()
    delivered_by_status: dict[int, list[int]] = {}
    failed: list[WebhookDelivery] = []
    for delivery, (status, error) in zip(batch, outcomes, strict=True):
        if status is not None and 200 <= status < 300:
            delivered_by_status.setdefault(status, []).append(delivery.pk)
            continue
        delivery.last_status = status
        delivery.last_error = error
        delivery.lease_until = None
        if delivery.attempts >= max_attempts():
            delivery.state = DeliveryState.DEAD
            report.dead += 1
        else:
            delivery.state = DeliveryState.PENDING
            delivery.next_attempt_at = done + timedelta(
                seconds=backoff_seconds(
                    delivery.attempts,
                    base=setting("YIWANG_WEBHOOK_BACKOFF_SECONDS", 30),
                    cap=setting("YIWANG_WEBHOOK_BACKOFF_CAP_SECONDS", 6 * 3600),
                )
            )
            report.retried += 1
        report.errors[error[:60]] = report.errors.get(error[:60], 0) + 1
        failed.append(delivery)
    with transaction.atomic():
        for status, ids in delivered_by_status.items():
            report.delivered += WebhookDelivery.objects.filter(
                id__in=ids, state=DeliveryState.DELIVERING
            ).update(
                state=DeliveryState.DELIVERED,
                delivered_at=done,
                last_status=status,
                last_error="",
                lease_until=None,
                updated_at=done,
            )
        for delivery in failed:
            delivery.updated_at = done
        WebhookDelivery.objects.bulk_update(
            failed,
            ["state", "next_attempt_at", "last_status", "last_error", "lease_until", "updated_at"],
            batch_size=500,
        )
    if report.dead:
        logger.warning("webhooks: %s deliveries moved to the dead letters", report.dead)


def deliver_all_due(*, rounds: int = 1000, limit: int = 500, workers: int = 8) -> DeliveryReport:
    """Deliver until nothing is due now (or ``rounds`` batches): the task and the scheduler job."""
    total = DeliveryReport()
    for _ in range(rounds):
        report = deliver_due(limit=limit, workers=workers)
        if not report.claimed:
            break
        total.claimed += report.claimed
        total.delivered += report.delivered
        total.retried += report.retried
        total.dead += report.dead
    return total


@task()
def deliver_webhooks_task() -> int:
    """Deliver what is due now; enqueued after a commit that queued deliveries."""
    return deliver_all_due().delivered


# --- dead letters -----------------------------------------------------------------------------------
def replay_delivery(delivery: WebhookDelivery, *, actor: Any = None) -> WebhookDelivery:
    """Send a dead letter again from attempt 0 (same event id: the receiver may dedupe)."""
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.state != DeliveryState.DEAD:
            raise DomainError(ExchangeErrorCode.NOT_DEAD, "只能重放死信", status=409)
        locked.state = DeliveryState.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["state", "attempts", "next_attempt_at", "updated_at"])
        audit.record(
            "exchange.delivery_replayed", actor=actor, obj=locked, detail={"event_id": locked.event_id}
        )
        _kick_on_commit()
    return locked


def replay_dead_letters(*, actor: Any = None, ids: Iterable[Any] | None = None, owner: str = "") -> int:
    """Replay many dead letters at once: the given public ids, or all of an endpoint owner, or all."""
    with transaction.atomic():
        dead = WebhookDelivery.objects.filter(state=DeliveryState.DEAD)
        if ids is not None:
            dead = dead.filter(public_id__in=list(ids))
        if owner:
            dead = dead.filter(endpoint__owner=owner)
        count = dead.update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now(), updated_at=timezone.now()
        )
        audit.record(
            "exchange.dead_letters_replayed",
            actor=actor,
            object_type="exchange.WebhookDelivery",
            detail={"count": count, "owner": owner},
        )
        if count:
            _kick_on_commit()
    return count
