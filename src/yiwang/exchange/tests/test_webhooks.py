"""Webhook deliveries to a real HTTP receiver: signed, idempotent, retried with backoff and jitter
(time frozen and moved), dead letters and their replay, at least once across a crash."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection

from yiwang.core.models import AuditEvent
from yiwang.exchange.models import DeliveryState, WebhookDelivery
from yiwang.exchange.services import (
    deliver_due,
    enqueue_webhook,
    enqueue_webhooks,
    fan_out,
    replay_dead_letters,
    replay_delivery,
)
from yiwang.exchange.services import webhooks as webhooks_module
from yiwang.exchange.tests.factories import SECRET, Receiver, endpoint, webhook_receiver
from yiwang.exchange.webhook_signing import verify_webhook

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_a_delivery_is_signed_and_the_receiver_can_verify_it(clock):
    with webhook_receiver() as receiver:
        delivery = enqueue_webhook(
            endpoint(receiver.url), "sharing.data_changed", {"resource": "人口基础信息"}, "evt-1"
        )
        report = deliver_due(workers=1)
    assert report.delivered == 1
    headers, body = receiver.requests[0]
    assert verify_webhook(SECRET, headers, body)
    assert not verify_webhook("another-secret-0123456789", headers, body)
    assert not verify_webhook(SECRET, headers, body + b" ")
    assert not verify_webhook(SECRET, headers, body, now=T0.timestamp() + 3600)  # too old: a replay
    sent = json.loads(body)
    assert sent == {
        "id": "evt-1",
        "topic": "sharing.data_changed",
        "created_at": sent["created_at"],
        "data": {"resource": "人口基础信息"},
    }
    assert headers["X-Yiwang-Event-Id"] == "evt-1" and "hmac-sm3=" in headers["X-Yiwang-Signature"]
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.last_status == 200


def test_the_event_id_is_an_idempotency_key(clock):
    with webhook_receiver() as receiver:
        target = endpoint(receiver.url)
        first = enqueue_webhook(target, "t", {"n": 1}, "evt-1")
        again = enqueue_webhook(target, "t", {"n": 2}, "evt-1")
        assert fan_out([target], "t", {"n": 3}, "evt-1") == 1
        deliver_due(workers=1)
    assert first.pk == again.pk and WebhookDelivery.objects.count() == 1
    assert receiver.event_ids == ["evt-1"]


def test_many_events_are_queued_in_batches_once_each(clock):
    with webhook_receiver() as receiver:
        one, two = endpoint(receiver.url), endpoint(receiver.url)
        events = [(target, "t", {"n": n}, f"evt-{n}") for n in range(3) for target in (one, two)]
        assert enqueue_webhooks(events) == 6
        assert enqueue_webhooks(events) == 6  # a replayed batch queues nothing new
        assert WebhookDelivery.objects.count() == 6
        deliver_due(workers=1)
    assert sorted(receiver.event_ids) == sorted(f"evt-{n}" for n in range(3) for _ in range(2))


def test_a_failing_receiver_is_retried_with_growing_delays_then_dead(clock, settings):
    settings.YIWANG_WEBHOOK_MAX_ATTEMPTS = 4
    settings.YIWANG_WEBHOOK_BACKOFF_SECONDS = 10
    with webhook_receiver(Receiver(default=503)) as receiver:
        delivery = enqueue_webhook(endpoint(receiver.url), "t", {}, "evt-1")
        delays = []
        for attempt in range(1, 5):
            assert deliver_due(workers=1).claimed == 1
            delivery.refresh_from_db()
            assert delivery.attempts == attempt and delivery.last_status == 503
            if attempt < 4:
                delay = (delivery.next_attempt_at - datetime.now(UTC)).total_seconds()
                base = 10 * 2 ** (attempt - 1)
                assert base / 2 <= delay <= base  # equal jitter: half fixed, half random
                delays.append(delay)
                assert deliver_due(workers=1).claimed == 0  # not due yet
                clock.shift(timedelta(seconds=delay + 0.001))
    assert delivery.state == DeliveryState.DEAD and len(receiver.requests) == 4
    assert delays[0] < delays[2]


def test_dead_letters_are_replayed_singly_and_in_bulk(clock, settings, admin_actor):
    settings.YIWANG_WEBHOOK_MAX_ATTEMPTS = 1
    with webhook_receiver(Receiver(statuses=[500, 500, 500])) as receiver:
        target = endpoint(receiver.url)
        for n in range(3):
            enqueue_webhook(target, "t", {"n": n}, f"evt-{n}")
        deliver_due(workers=1)
        dead = list(WebhookDelivery.objects.filter(state=DeliveryState.DEAD).order_by("event_id"))
        assert len(dead) == 3
        replay_delivery(dead[0], actor=admin_actor)
        assert deliver_due(workers=1).delivered == 1
        with pytest.raises(Exception) as refused:
            replay_delivery(WebhookDelivery.objects.get(pk=dead[0].pk), actor=admin_actor)
        assert getattr(refused.value, "code", "") == "exchange_delivery_not_dead"
        assert replay_dead_letters(actor=admin_actor) == 2
        assert deliver_due(workers=1).delivered == 2
    assert sorted(receiver.event_ids) == ["evt-0", "evt-0", "evt-1", "evt-1", "evt-2", "evt-2"]
    assert AuditEvent.objects.filter(action="exchange.dead_letters_replayed").exists()


def test_a_crash_between_send_and_mark_sends_again_after_the_lease(clock, monkeypatch):
    with webhook_receiver() as receiver:
        delivery = enqueue_webhook(endpoint(receiver.url), "t", {}, "evt-1")

        def crash(*args: Any, **kwargs: Any) -> None:
            raise SystemExit("worker killed")

        monkeypatch.setattr(webhooks_module, "_record", crash)
        with pytest.raises(SystemExit):
            deliver_due(workers=1)
        monkeypatch.undo()
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.DELIVERING and receiver.event_ids == ["evt-1"]
        assert deliver_due(workers=1).claimed == 0  # the lease still runs
        clock.shift(timedelta(seconds=121))
        assert deliver_due(workers=1).delivered == 1
    assert receiver.event_ids == ["evt-1", "evt-1"]  # at least once: the receiver dedupes on the id
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2


def test_an_unreachable_receiver_counts_as_a_failed_attempt(clock):
    delivery = enqueue_webhook(endpoint("http://127.0.0.1:9/hook"), "t", {}, "evt-1")
    report = deliver_due(workers=1)
    delivery.refresh_from_db()
    assert report.retried == 1 and delivery.state == DeliveryState.PENDING and delivery.last_status is None
    assert delivery.last_error


def test_fan_out_to_many_endpoints_delivers_each_once_on_threads(clock):
    with webhook_receiver() as receiver:
        targets = [endpoint(receiver.url, owner=f"sharing.subscription:{n}") for n in range(5)]
        for n in range(20):
            fan_out(targets, "t", {"n": n}, f"evt-{n}")
        report = deliver_due(workers=4, limit=500)
    assert report.delivered == 100 and len(receiver.requests) == 100
    assert WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED).count() == 100


def test_payloads_are_encrypted_at_rest(clock):
    enqueue_webhook(endpoint("http://127.0.0.1:9/hook"), "t", {"name": "张三"}, "evt-1")
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM exchange_webhookdelivery")
        stored = cursor.fetchone()[0]
    assert "张三" not in stored


def test_enqueue_after_commit_delivers_through_the_task(clock, settings, django_capture_on_commit_callbacks):
    settings.YIWANG_WEBHOOK_DELIVER_ON_COMMIT = True
    with webhook_receiver() as receiver, django_capture_on_commit_callbacks(execute=True):
        enqueue_webhook(endpoint(receiver.url), "t", {}, "evt-1")
    assert receiver.event_ids == ["evt-1"]
