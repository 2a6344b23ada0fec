"""Gateway pages in the workbench: the call log from both sides with its filters and keyset pages,
the statistics page and its JSON data, consumer systems (register, secrets shown once, rotate, switch
off), subscriptions with their delivery states; who may open them; queries per list."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from yiwang.exchange.models import DeliveryState, WebhookDelivery
from yiwang.sharing import services
from yiwang.sharing.models import CallChannel, CallResult, GatewayCall, GatewayConsumer
from yiwang.sharing.services.subscriptions import subscribe
from yiwang.sharing.tests.gateway_factories import GatewayWorld, make_gateway_world
from yiwang.testing.mfa import staff_login
from yiwang.testing.people import make_citizen

pytestmark = pytest.mark.django_db
BASE = "/workbench/sharing/gateway"


def _client(user) -> Client:
    client = Client()
    staff_login(client, user)
    return client


@pytest.fixture
def gw(world) -> GatewayWorld:
    return make_gateway_world(world)


def log_calls(
    gw: GatewayWorld, n: int, *, result: str = CallResult.OK, days_ago: int = 0, ms: int = 10
) -> None:
    at = timezone.now() - timedelta(days=days_ago)
    GatewayCall.objects.bulk_create(
        GatewayCall(
            at=at - timedelta(seconds=i),
            consumer=gw.consumer,
            organisation=gw.consumer.organisation,
            resource=gw.resource,
            resource_code=gw.resource.code,
            fields=["gender"],
            purpose="企业登记核验",
            channel=CallChannel.API,
            result=result,
            status=200 if result == CallResult.OK else 403,
            error_code="" if result == CallResult.OK else "gateway_no_grant",
            duration_ms=ms + i,
        )
        for i in range(n)
    )


# --- call log ---------------------------------------------------------------------------------------
def test_provider_and_consumer_see_their_side_of_a_real_call(gw):
    answer = services.call_resource(gw.consumer, gw.resource.code, gw.subject, ["gender"], "企业登记核验")
    police = _client(gw.world.police_official)
    page = police.get(f"{BASE}/calls/?side=provider")
    assert page.status_code == 200
    assert gw.consumer.name in page.content.decode() and "企业登记核验" in page.content.decode()
    assert gw.subject not in page.content.decode()  # the subject is never shown (digest only)
    market = _client(gw.world.market_official)
    assert gw.resource.code in market.get(f"{BASE}/calls/?side=consumer").content.decode()
    # the market bureau provides nothing: its provider side is empty
    assert "没有符合条件的调用" in market.get(f"{BASE}/calls/?side=provider").content.decode()
    assert "没有符合条件的调用" in police.get(f"{BASE}/calls/?side=consumer").content.decode()
    assert answer.call.result == CallResult.OK


def test_who_may_open_the_gateway_pages(gw):
    clerk = _client(gw.world.market_clerk)
    citizen = Client()
    citizen.force_login(make_citizen())
    for path in ("calls/", "statistics/", "statistics/data/", "consumers/", "subscriptions/"):
        assert clerk.get(f"{BASE}/{path}").status_code == 403, path
        assert citizen.get(f"{BASE}/{path}").status_code == 403, path
        assert Client().get(f"{BASE}/{path}").status_code == 302, path


def test_call_filters_and_bad_filters(gw):
    log_calls(gw, 3)
    log_calls(gw, 2, result=CallResult.REFUSED, days_ago=3)
    police = _client(gw.world.police_official)

    def rows(query: str) -> int:
        response = police.get(f"{BASE}/calls/?side=provider&{query}")
        assert response.status_code == 200, query
        return response.content.decode().count('<time datetime="')

    assert rows("") == 5
    assert rows("result=refused") == 2
    assert rows(f"resource={gw.resource.code}") == 5
    assert rows("resource=NOPE") == 0
    assert rows(f"consumer={gw.consumer.public_id}") == 5
    today = timezone.localdate()
    assert rows(f"since={today.isoformat()}") == 3
    assert rows(f"until={(today - timedelta(days=1)).isoformat()}") == 2
    for bad in (
        "result=maybe",
        "since=2026-13-01",
        "since=yesterday",
        "consumer=not-a-uuid",
        "side=both",
        f"since={today}&until={today - timedelta(days=2)}",
    ):
        assert police.get(f"{BASE}/calls/?{bad}").status_code == 400, bad


def test_call_log_pages_by_keyset_in_bounded_queries(gw, django_assert_max_num_queries):
    log_calls(gw, 120)
    police = _client(gw.world.police_official)
    police.get(f"{BASE}/calls/")  # warm the session
    with django_assert_max_num_queries(12):
        first = police.get(f"{BASE}/calls/?side=provider")
    assert first.status_code == 200
    assert first.content.decode().count('<time datetime="') == 50
    cursor = first.context["next_query"]
    assert "cursor=" in cursor
    second = police.get(f"{BASE}/calls/{cursor}")
    first_ids = {c.pk for c in first.context["calls"]}
    assert not first_ids & {c.pk for c in second.context["calls"]}
    assert police.get(f"{BASE}/calls/?cursor=%%%garbage").status_code == 200  # bad cursor: first page


# --- statistics -------------------------------------------------------------------------------------
def test_statistics_page_and_its_json(gw, django_assert_max_num_queries):
    log_calls(gw, 4, ms=20)
    log_calls(gw, 1, result=CallResult.ERROR, days_ago=1)
    police = _client(gw.world.police_official)
    page = police.get(f"{BASE}/statistics/?side=provider&days=7")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="chart-day"' in html and 'id="gateway-stats"' in html and "gateway-statistics.js" in html
    assert "<script>" not in html.replace('<script src="', "")  # no inline script (CSP)
    police.get(f"{BASE}/statistics/data/")  # warm
    with django_assert_max_num_queries(14):
        data = police.get(f"{BASE}/statistics/data/?side=provider&days=7").json()
    assert data["total"] == 5 and data["by_result"]["ok"] == 4 and data["by_result"]["error"] == 1
    assert data["p50_ms"] in (21, 22) and data["p95_ms"] == 23
    assert len(data["per_day"]) == 7 and data["per_resource"][0]["calls"] == 5
    assert data["per_consumer"][0]["label"] == gw.consumer.name
    assert police.get(f"{BASE}/statistics/data/?side=consumer").json()["total"] == 0
    for bad in ("days=0", "days=93", "days=abc", "days=-1", "side=all"):
        assert police.get(f"{BASE}/statistics/data/?{bad}").status_code == 400, bad


# --- consumer systems -------------------------------------------------------------------------------
def _token(client_id: str, secret: str) -> int:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    return response.status_code


def test_register_shows_the_secrets_once_and_rotation_replaces_them(gw):
    market = _client(gw.world.market_official)
    response = market.post(
        f"{BASE}/consumers/", {"name": "企业年报系统", "daily_quota": "5000", "rate_per_minute": "60"}
    )
    assert response.status_code == 200
    secrets = response.context["created"]["secrets"]
    assert secrets.client_secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    consumer = GatewayConsumer.objects.get(name="企业年报系统")
    assert consumer.daily_quota == 5000 and consumer.organisation == gw.world.market
    listing = market.get(f"{BASE}/consumers/").content.decode()
    assert "企业年报系统" in listing and secrets.client_secret not in listing and secrets.client_id in listing
    assert _token(secrets.client_id, secrets.client_secret) == 200
    assert AccessToken.objects.filter(application=consumer.application).count() == 1

    rotated = market.post(f"{BASE}/consumers/{consumer.public_id}/rotate/")
    assert rotated.status_code == 200
    new = rotated.context["secrets"]
    assert new.client_id == secrets.client_id and new.client_secret != secrets.client_secret
    assert AccessToken.objects.filter(application=consumer.application).count() == 0
    assert _token(secrets.client_id, secrets.client_secret) == 401
    assert _token(new.client_id, new.client_secret) == 200
    consumer.refresh_from_db()
    assert consumer.hmac_secret == new.hmac_secret


def test_bad_registration_and_foreign_consumer(gw):
    market = _client(gw.world.market_official)
    bad = market.post(f"{BASE}/consumers/", {"name": "", "rate_per_minute": "0"})
    assert bad.status_code == 400
    assert market.post(f"{BASE}/consumers/", {"name": "x", "daily_quota": "-5"}).status_code == 400
    police = _client(gw.world.police_official)
    assert gw.consumer.name not in police.get(f"{BASE}/consumers/").content.decode()
    for action in ("rotate", "deactivate"):
        assert police.post(f"{BASE}/consumers/{gw.consumer.public_id}/{action}/").status_code == 404
    assert market.post(f"{BASE}/consumers/{gw.consumer.public_id}/explode/").status_code == 404
    assert market.get(f"{BASE}/consumers/{gw.consumer.public_id}/deactivate/").status_code == 405


def test_switch_a_consumer_off_and_on(gw):
    market = _client(gw.world.market_official)
    assert market.post(f"{BASE}/consumers/{gw.consumer.public_id}/deactivate/").status_code == 302
    gw.consumer.refresh_from_db()
    assert not gw.consumer.active
    assert market.post(f"{BASE}/consumers/{gw.consumer.public_id}/activate/").status_code == 302
    gw.consumer.refresh_from_db()
    assert gw.consumer.active


# --- subscriptions ----------------------------------------------------------------------------------
def test_subscriptions_with_delivery_states(gw, django_assert_max_num_queries):
    subscriptions = [
        subscribe(
            actor=gw.world.market_official,
            consumer=gw.consumer,
            resource=gw.resource,
            url=f"https://example.test/hook/{n}",
        )[0]
        for n in range(3)
    ]
    now = timezone.now()
    states = [DeliveryState.DELIVERED] * 3 + [DeliveryState.DEAD, DeliveryState.PENDING]
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=subscriptions[0].endpoint,
            event_id=f"{n}:{subscriptions[0].public_id}",
            topic="sharing.resource_changed",
            state=state,
            next_attempt_at=now,
        )
        for n, state in enumerate(states)
    )
    market = _client(gw.world.market_official)
    market.get(f"{BASE}/subscriptions/")  # warm
    with django_assert_max_num_queries(10):
        listing = market.get(f"{BASE}/subscriptions/")
    assert listing.status_code == 200
    counts = {s.pk: c for s, c, _a in listing.context["rows"]}
    assert counts[subscriptions[0].pk] == [1, 0, 3, 1]  # pending, delivering, delivered, dead
    assert counts[subscriptions[1].pk] == [0, 0, 0, 0]

    detail = market.get(f"{BASE}/subscriptions/{subscriptions[0].public_id}/?state=dead")
    assert detail.status_code == 200 and len(detail.context["deliveries"]) == 1
    assert market.get(f"{BASE}/subscriptions/{subscriptions[0].public_id}/?state=lost").status_code == 400

    police = _client(gw.world.police_official)
    assert police.get(f"{BASE}/subscriptions/{subscriptions[0].public_id}/").status_code == 404
    assert police.post(f"{BASE}/subscriptions/{subscriptions[0].public_id}/cancel/").status_code == 404
    assert market.post(f"{BASE}/subscriptions/{subscriptions[0].public_id}/cancel/").status_code == 302
    subscriptions[0].refresh_from_db()
    assert not subscriptions[0].active
    assert market.post(f"{BASE}/subscriptions/{subscriptions[0].public_id}/cancel/").status_code == 404
