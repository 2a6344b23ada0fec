"""The API: filing, the handling steps through the API, who may call what, error shapes, bounded
queries on the lists."""

from __future__ import annotations

import uuid

import pytest

from yiwang.core.models import PersonalDataAccess
from yiwang.testing.clients import token_client
from yiwang.tickets.models import Ticket

from .helpers import call, complaint

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tickets"
CT = "application/json"


def test_applicant_files_and_sees_own_tickets(world):
    client = token_client(world.citizen)
    res = client.post(
        BASE,
        content_type=CT,
        data={
            "category": "complaint",
            "title": "过期食品",
            "content": "超市卖过期食品，投诉。",
            "region_code": "340104",
        },
    )
    assert res.status_code == 201, res.json()
    body = res.json()
    assert body["status"] == "dispatched" and body["department"] == "合肥市市场监督管理局"
    assert body["contact_phone"] == "13900000001"  # the applicant sees his own data
    assert client.get(f"{BASE}/mine").json()["count"] == 1
    assert token_client(world.citizen2).get(f"{BASE}/{body['id']}").status_code == 404
    assert token_client(world.citizen2).get(f"{BASE}/mine").json()["count"] == 0


def test_bad_input_is_400_with_fields(world):
    client = token_client(world.citizen)
    res = client.post(BASE, content_type=CT, data={"category": "nope", "title": "", "content": "x"})
    assert res.status_code in (400, 422)
    assert set(res.json()) >= {"code", "message", "fields"}
    res = client.post(BASE, content_type=CT, data={"category": "help", "title": "t", "content": "   "})
    assert res.status_code == 400 and res.json()["code"] == "ticket_invalid_input"


def test_staff_cannot_file_as_applicant(world):
    res = token_client(world.clerk).post(
        BASE, content_type=CT, data={"category": "help", "title": "t", "content": "c"}
    )
    assert res.status_code == 403


def test_department_flow_through_the_api(world):
    ticket = complaint(world)
    clerk = token_client(world.clerk)
    detail = clerk.get(f"{BASE}/{ticket.public_id}").json()
    assert detail["contact_phone"] == "139****0001"  # masked for staff
    assert PersonalDataAccess.objects.filter(subject=world.citizen, actor=world.clerk).exists()
    assert "accept" in detail["allowed_actions"]
    assert clerk.post(f"{BASE}/{ticket.public_id}/accept").status_code == 200
    res = clerk.post(f"{BASE}/{ticket.public_id}/extend", content_type=CT, data={"days": 2, "reason": "核查"})
    assert res.status_code == 200 and res.json()["extensions"][0]["status"] == "pending"
    res = token_client(world.supervisor).post(
        f"{BASE}/{ticket.public_id}/decide-extension", content_type=CT, data={"approve": True}
    )
    assert res.status_code == 200
    res = clerk.post(f"{BASE}/{ticket.public_id}/reply", content_type=CT, data={"text": "已处理"})
    assert res.json()["status"] == "replied"
    res = token_client(world.citizen).post(
        f"{BASE}/{ticket.public_id}/revisit", content_type=CT, data={"result": "satisfied"}
    )
    assert res.status_code == 200 and res.json()["status"] == "closed"
    res = clerk.post(f"{BASE}/{ticket.public_id}/reply", content_type=CT, data={"text": "again"})
    assert res.status_code == 409 and res.json()["code"] == "ticket_invalid_state"


def test_transfer_return_and_dispatch(world):
    ticket = complaint(world)
    clerk = token_client(world.clerk)
    res = clerk.post(
        f"{BASE}/{ticket.public_id}/transfer",
        content_type=CT,
        data={"department": str(world.police.public_id), "reason": "户政"},
    )
    assert res.status_code == 200 and res.json()["department"] == "合肥市公安局"
    assert clerk.get(f"{BASE}/{ticket.public_id}").status_code == 404
    police = token_client(world.police_clerk)
    assert (
        police.post(f"{BASE}/{ticket.public_id}/return", content_type=CT, data={"reason": "非本部门"}).json()[
            "status"
        ]
        == "returned"
    )
    agent = token_client(world.agent)
    res = agent.post(
        f"{BASE}/{ticket.public_id}/dispatch", content_type=CT, data={"department": str(uuid.uuid4())}
    )
    assert res.status_code == 400 and res.json()["fields"] == {
        "department": [res.json()["fields"]["department"][0]]
    }
    res = agent.post(f"{BASE}/{ticket.public_id}/dispatch", content_type=CT, data={})
    assert res.status_code == 200 and res.json()["department"] == "合肥市市场监督管理局"


def test_hotline_call_answered_directly_and_caller_history(world):
    agent = token_client(world.agent)
    res = agent.post(
        f"{BASE}/hotline/calls",
        content_type=CT,
        data={
            "caller_name": "王芳",
            "caller_phone": "13700000009",
            "category": "consultation",
            "title": "营业执照",
            "content": "请问营业执照需要什么材料",
            "answer": "身份证与经营场所证明。",
        },
    )
    assert res.status_code == 201 and res.json()["status"] == "closed"
    assert res.json()["contact_name"] == "王*"
    history = agent.get(f"{BASE}/hotline/callers", {"phone": "13700000009"}).json()
    assert len(history["tickets"]) == 1
    assert token_client(world.clerk).get(f"{BASE}/hotline/callers", {"phone": "137"}).status_code == 403
    res = token_client(world.clerk).post(
        f"{BASE}/hotline/calls", content_type=CT, data={"category": "help", "title": "t", "content": "c"}
    )
    assert res.status_code == 403


def test_suggestions_and_merge(world):
    first = complaint(world)
    second = complaint(world, actor=world.citizen2)
    agent = token_client(world.agent)
    res = agent.post(
        f"{BASE}/suggestions", content_type=CT, data={"text": "投诉超市卖过期食品", "region_code": "340104"}
    )
    body = res.json()
    assert body["category"] == "complaint" and body["department"] == "合肥市市场监督管理局"
    assert {s["number"] for s in body["similar"]} == {first.number, second.number}
    assert (
        token_client(world.citizen)
        .post(f"{BASE}/suggestions", content_type=CT, data={"text": "x"})
        .status_code
        == 403
    )
    res = agent.post(f"{BASE}/{second.public_id}/merge", content_type=CT, data={"into": str(first.public_id)})
    assert res.status_code == 200 and res.json()["merged_into"] == first.number
    res = agent.post(f"{BASE}/{first.public_id}/merge", content_type=CT, data={"into": str(uuid.uuid4())})
    assert res.status_code == 409 and res.json()["code"] == "ticket_merge_invalid"


def test_lists_are_scoped_filtered_and_bounded(world, django_assert_max_num_queries):
    for _ in range(5):
        complaint(world)
    call(world)
    clerk = token_client(world.clerk)
    clerk.get(f"{BASE}")  # warm the session
    with django_assert_max_num_queries(8):
        body = clerk.get(f"{BASE}", {"status": "dispatched", "category": "complaint"}).json()
    assert body["count"] == 5
    assert token_client(world.police_clerk).get(f"{BASE}").json()["count"] == 0
    agent = token_client(world.agent)
    assert agent.get(f"{BASE}").json()["count"] == 6
    assert agent.get(f"{BASE}", {"status": "created"}).json()["count"] == 1
    assert agent.get(f"{BASE}", {"overdue": True}).json()["count"] == 0
    assert agent.get(f"{BASE}", {"limit": 1000}).status_code in (400, 422)
    assert token_client(world.citizen).get(f"{BASE}").status_code == 403
    citizen = token_client(world.citizen)
    citizen.get(f"{BASE}/mine")
    with django_assert_max_num_queries(6):
        assert citizen.get(f"{BASE}/mine").json()["count"] == 5
    assert Ticket.objects.count() == 6
