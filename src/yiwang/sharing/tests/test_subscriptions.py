"""Change subscriptions: fan-out of the bases' change log to subscribers through the exchange
engine over real HTTP, only granted fields, idempotent, a failing subscriber retried, dead-lettered
and replayed."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from yiwang.bases.models import BaseChange
from yiwang.core.errors import DomainError
from yiwang.exchange import services as exchange
from yiwang.exchange.models import DeliveryState, WebhookDelivery
from yiwang.sharing import services
from yiwang.sharing.services.gateway import subject_digest
from yiwang.sharing.tests.gateway_factories import make_gateway_world


class Receiver:
    def __init__(self) -> None:
        self.status = 200
        self.events: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.status == 200:
                    receiver.events.append(json.loads(body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def change(subject: str, fields: list[str]) -> BaseChange:
    return BaseChange.objects.create(
        base="population",
        subject_digest=subject_digest(subject),
        fields=fields,
        version=2,
        at=timezone.now() - timedelta(seconds=30),
    )


def test_fan_out_sends_only_granted_fields_once(world, receiver, settings):
    settings.YIWANG_WEBHOOK_DELIVER_ON_COMMIT = False
    gw = make_gateway_world(world)
    subscription, _secret = services.subscribe(
        actor=world.market_official, consumer=gw.consumer, resource=gw.resource, url=receiver.url
    )
    change(gw.subject, ["name", "address"])
    change(gw.subject, ["address"])  # nothing granted changed: no event
    report = services.fan_out_changes(lag_seconds=1)
    assert (report.changes, report.queued) == (2, 1)
    assert services.fan_out_changes(lag_seconds=1).queued == 0  # the cursor moved on
    exchange.deliver_due(now=timezone.now(), workers=1)
    assert len(receiver.events) == 1
    data = receiver.events[0]["data"]
    assert data["fields"] == ["name"] and data["subscription"] == str(subscription.public_id)
    assert receiver.events[0]["id"].endswith(f":{subscription.public_id}")


def test_subject_filter_and_unsubscribe(world, receiver, settings):
    settings.YIWANG_WEBHOOK_DELIVER_ON_COMMIT = False
    gw = make_gateway_world(world)
    subscription, _ = services.subscribe(
        actor=world.market_official,
        consumer=gw.consumer,
        resource=gw.resource,
        url=receiver.url,
        subjects=["110101199003070011"],
    )
    change(gw.subject, ["name"])
    assert services.fan_out_changes(lag_seconds=1).queued == 0
    services.unsubscribe(subscription, actor=world.market_official)
    subscription.refresh_from_db()
    assert not subscription.active


def test_subscribe_needs_a_grant_and_an_official(world, receiver):
    gw = make_gateway_world(world, fields=["gender"])
    with pytest.raises(DomainError):
        services.subscribe(
            actor=world.market_clerk, consumer=gw.consumer, resource=gw.resource, url=receiver.url
        )
    gw.consumer.organisation = world.data_bureau
    with pytest.raises(DomainError):
        services.subscribe(actor=world.reviewer, consumer=gw.consumer, resource=gw.resource, url=receiver.url)


def test_failing_subscriber_retried_dead_lettered_and_replayed(world, receiver, settings):
    settings.YIWANG_WEBHOOK_DELIVER_ON_COMMIT = False
    settings.YIWANG_WEBHOOK_MAX_ATTEMPTS = 2
    gw = make_gateway_world(world)
    services.subscribe(
        actor=world.market_official, consumer=gw.consumer, resource=gw.resource, url=receiver.url
    )
    change(gw.subject, ["gender"])
    services.fan_out_changes(lag_seconds=1)
    receiver.status = 500
    later = timezone.now()
    for _ in range(3):
        later += timedelta(days=1)
        exchange.deliver_due(now=later, workers=1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.DEAD and delivery.attempts == 2
    receiver.status = 200
    exchange.replay_delivery(delivery, actor=world.market_official)
    exchange.deliver_due(now=later + timedelta(days=1), workers=1)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED
    assert len(receiver.events) == 1
