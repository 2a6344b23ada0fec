"""Who may call each gateway API operation: data officials for logs, statistics, consumers and
subscriptions; applicants for their own "who used my data"; nobody anonymous."""

from __future__ import annotations

import json

import pytest

from yiwang.sharing.tests import gateway_urls
from yiwang.sharing.tests.gateway_factories import make_gateway_world
from yiwang.testing.clients import token_client
from yiwang.testing.people import make_citizen

pytestmark = pytest.mark.urls("yiwang.sharing.tests.gateway_urls")
P = gateway_urls.PREFIX
OFFICIAL_GETS = ["/gateway/calls", "/gateway/statistics", "/gateway/consumers", "/gateway/subscriptions"]


def test_official_endpoints_refuse_anonymous_and_non_officials(client, world, django_assert_max_num_queries):
    make_gateway_world(world)
    for url in OFFICIAL_GETS:
        assert client.get(P + url).status_code == 401, url
    clerk = token_client(world.market_clerk)
    for url in OFFICIAL_GETS:
        assert clerk.get(P + url).status_code == 403, url
    client = token_client(world.market_official)
    for url in OFFICIAL_GETS:
        with django_assert_max_num_queries(12):
            assert client.get(P + url).status_code == 200, url


def test_register_consumer_only_by_an_official(client, world):
    body = json.dumps({"name": "审批系统"})
    assert client.post(P + "/gateway/consumers", body, content_type="application/json").status_code == 401
    client = token_client(world.market_official)
    response = client.post(P + "/gateway/consumers", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["client_secret"]


def test_my_calls_is_the_applicants_own(client, world):
    assert client.get(P + "/me/calls").status_code == 401
    client.force_login(make_citizen("gw_auth_citizen"))
    assert client.get(P + "/me/calls").json() == []


def test_deliveries_of_another_organisations_subscription_are_not_found(client, world):
    client = token_client(world.police_official)
    import uuid

    assert client.get(f"{P}/gateway/subscriptions/{uuid.uuid4()}/deliveries").status_code == 404
