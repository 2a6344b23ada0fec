"""The logistics API: who may see and act on which order (401/403/404), listing, creation."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.core.models import PersonalDataAccess
from yiwang.testing.clients import token_client
from yiwang.testing.logistics import applicant_party, make_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

BASE = "/api/v1/logistics"


@pytest.fixture
def order(fake_carrier, department, clerk, citizen):
    return make_order(department, owner=citizen, actor=clerk, reference=("cases.Case", "x", "CASE-1"))


def test_the_applicant_sees_his_own_order_in_full(order, citizen):
    response = token_client(citizen).get(f"{BASE}/orders/{order.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["recipient"]["phone"] == "13912345678" and body["masked"] is False
    assert body["allowed_actions"] == ["view"]
    assert token_client(citizen).get(f"{BASE}/orders/{order.public_id}/events").status_code == 200


def test_staff_of_the_department_see_it_masked_and_the_read_is_recorded(order, clerk, approver):
    body = token_client(approver).get(f"{BASE}/orders/{order.public_id}").json()
    assert body["recipient"]["phone"] == "139****5678" and body["recipient"]["name"] == "张*"
    assert body["allowed_actions"] == ["view"]  # a handler sees; only window clerks act
    assert PersonalDataAccess.objects.filter(object_id=str(order.public_id)).exists()
    clerk_body = token_client(clerk).get(f"{BASE}/orders/{order.public_id}").json()
    assert clerk_body["allowed_actions"] == ["cancel", "view", "waybill"]


@pytest.mark.parametrize("who", ["other_citizen", "foreign_clerk"])
@pytest.mark.parametrize("suffix", ["", "/events"])
def test_others_get_a_404(order, request, who, suffix):
    user = request.getfixturevalue(who)
    response = token_client(user).get(f"{BASE}/orders/{order.public_id}{suffix}")
    assert response.status_code == 404 and response.json()["code"] == "logistics_not_found"


@pytest.mark.parametrize("path", ["/orders", "/orders/{id}", "/orders/{id}/events"])
def test_anonymous_gets_a_401(order, path):
    assert Client().get(BASE + path.format(id=order.public_id)).status_code == 401


def test_lists_show_only_what_each_may_see(
    order,
    fake_carrier,
    department,
    other_department,
    citizen,
    other_citizen,
    clerk,
    foreign_clerk,
    django_assert_max_num_queries,
):
    for _ in range(3):
        make_order(department, owner=other_citizen, actor=clerk)
    client = token_client(clerk)
    with django_assert_max_num_queries(12):
        body = client.get(f"{BASE}/orders?limit=2").json()
    assert body["count"] == 4 and len(body["items"]) == 2
    assert token_client(citizen).get(f"{BASE}/orders").json()["count"] == 1
    assert token_client(foreign_clerk).get(f"{BASE}/orders").json()["count"] == 0
    assert client.get(f"{BASE}/orders?status=teleported").status_code == 422
    assert client.get(f"{BASE}/orders?limit=100000").status_code == 422
    assert client.get(f"{BASE}/orders?waybill={order.waybill_number}").json()["count"] == 1


def test_create_by_a_clerk_and_refused_to_others(fake_carrier, department, clerk, approver, citizen):
    payload = {
        "kind": "pickup",
        "sender": applicant_party(),
        "recipient": {
            "name": "市市场监管局",
            "phone": "0551-63530000",
            "region_code": "3401",
            "address": "合肥市政务服务中心二楼",
        },
    }
    created = token_client(clerk).post(f"{BASE}/orders", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "submitted" and created.json()["kind"] == "pickup"
    for user in (approver, citizen):
        refused = token_client(user).post(f"{BASE}/orders", payload, content_type="application/json")
        assert refused.status_code == 403
    bad = {**payload, "sender": applicant_party(region_code="999999")}
    answer = token_client(clerk).post(f"{BASE}/orders", bad, content_type="application/json")
    assert answer.status_code == 400 and "sender.region_code" in answer.json()["fields"]
    assert Client().post(f"{BASE}/orders", payload, content_type="application/json").status_code == 401


def test_cancel_and_submit_need_a_clerk_of_the_department(order, clerk, approver, citizen, foreign_clerk):
    url = f"{BASE}/orders/{order.public_id}/cancel"
    assert token_client(citizen).post(url, {}, content_type="application/json").status_code == 403
    assert token_client(approver).post(url, {}, content_type="application/json").status_code == 403
    assert token_client(foreign_clerk).post(url, {}, content_type="application/json").status_code == 404
    assert token_client(clerk).post(f"{BASE}/orders/{order.public_id}/submit").status_code == 409
    done = token_client(clerk).post(url, {"reason": "改为窗口领取"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
