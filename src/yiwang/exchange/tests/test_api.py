"""The console API: admin and data officials only; node endpoints refuse users; bounded lists."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client

from yiwang.exchange.models import DeliveryState, OutgoingPackage, OutgoingState, WebhookDelivery
from yiwang.exchange.services import build_package, enqueue_webhook
from yiwang.exchange.tests.factories import endpoint, node_row
from yiwang.testing.cases import OrganisationFactory, make_citizen, make_staff
from yiwang.testing.clients import token_client

pytestmark = pytest.mark.django_db
BASE = "/api/v1/exchange"
STAFF_LISTS = ["/nodes", "/outgoing", "/incoming", "/deliveries", "/dead-letters"]
# Fixed ids (test ids must be the same in every pytest-xdist worker).
ABSENT = [uuid.UUID(int=n + 1) for n in range(5)]
NODE_ENDPOINTS = [
    ("post", "/packages"),
    ("get", f"/packages/{ABSENT[0]}"),
    ("put", f"/packages/{ABSENT[1]}/chunks?offset=0"),
    ("get", f"/packages/{ABSENT[2]}/receipt"),
    ("get", "/outbox"),
    ("get", f"/outbox/{ABSENT[3]}/archive"),
    ("post", f"/outbox/{ABSENT[4]}/ack"),
]


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    org = OrganisationFactory()
    return {
        "admin": make_staff(org, "x_admin", ("admin",)),
        "official": make_staff(org, "x_official", ("data_official",)),
        "clerk": make_staff(org, "x_clerk", ("window_clerk",)),
        "citizen": make_citizen("x_citizen"),
    }


@pytest.fixture
def dead(db: None) -> list[WebhookDelivery]:
    target = endpoint("http://127.0.0.1:9/hook")
    rows = [enqueue_webhook(target, "t", {"n": n}, f"evt-{n}") for n in range(3)]
    WebhookDelivery.objects.update(state=DeliveryState.DEAD, attempts=8)
    return rows


@pytest.mark.parametrize("path", STAFF_LISTS)
def test_console_lists_are_for_the_admin_and_data_officials(people, dead, path):
    assert Client().get(BASE + path).status_code == 401
    for name in ("citizen", "clerk"):
        answer = token_client(people[name]).get(BASE + path)
        assert answer.status_code == 403 and answer.json()["code"] == "exchange_role_required"
    for name in ("admin", "official"):
        assert token_client(people[name]).get(BASE + path).status_code == 200


@pytest.mark.parametrize(("method", "path"), NODE_ENDPOINTS)
def test_node_endpoints_refuse_users_and_unsigned_calls(people, method, path):
    for client in (Client(), token_client(people["admin"])):
        if method == "get":
            answer = client.get(BASE + path)
        else:
            answer = getattr(client, method)(BASE + path, content_type="application/json", data="{}")
        assert answer.status_code == 401, answer.content


def test_dead_letters_list_and_replay(people, dead, django_assert_max_num_queries):
    client = token_client(people["official"])
    with django_assert_max_num_queries(8):
        rows = client.get(BASE + "/dead-letters").json()
    assert len(rows) == 3 and all(row["allowed_actions"] == ["replay"] for row in rows)
    one = client.post(f"{BASE}/deliveries/{dead[0].public_id}/replay")
    assert one.status_code == 200 and one.json()["state"] == "pending"
    again = client.post(f"{BASE}/deliveries/{dead[0].public_id}/replay")
    assert again.status_code == 409 and again.json()["code"] == "exchange_delivery_not_dead"
    assert client.post(f"{BASE}/deliveries/{uuid.uuid4()}/replay").status_code == 404
    bulk = client.post(
        BASE + "/dead-letters/replay", data={"ids": [str(dead[1].public_id)]}, content_type="application/json"
    )
    assert bulk.json() == {"replayed": 1}
    assert client.post(BASE + "/dead-letters/replay", data={}, content_type="application/json").json() == {
        "replayed": 1
    }
    assert (
        token_client(people["clerk"])
        .post(BASE + "/dead-letters/replay", data={}, content_type="application/json")
        .status_code
        == 403
    )


def test_lists_are_bounded_and_filters_validated(people, dead, django_assert_max_num_queries):
    client = token_client(people["admin"])
    assert client.get(BASE + "/deliveries?limit=100000").status_code == 422
    assert client.get(BASE + "/deliveries?offset=-1").status_code == 422
    assert client.get(BASE + "/deliveries?state=" + "x" * 50).status_code == 422
    with django_assert_max_num_queries(8):
        assert len(client.get(BASE + "/deliveries?state=dead&limit=2").json()) == 2


def test_a_failed_package_is_sent_again_on_request(people, as_node, province, city):
    as_node(province)
    package = build_package("test.feed", node_row(city), {"a.txt": b"a"})
    client = token_client(people["official"])
    refused = client.post(f"{BASE}/outgoing/{package.public_id}/retry")
    assert refused.status_code == 409 and refused.json()["code"] == "exchange_package_not_failed"
    OutgoingPackage.objects.filter(pk=package.pk).update(state=OutgoingState.FAILED)
    assert token_client(people["clerk"]).post(f"{BASE}/outgoing/{package.public_id}/retry").status_code == 403
    answer = client.post(f"{BASE}/outgoing/{package.public_id}/retry")
    assert answer.status_code == 200 and answer.json()["state"] == "ready"
    assert client.get(BASE + "/outgoing").json()[0]["allowed_actions"] == []
