"""The pages: the applicant files and rates, the department works its queue (htmx filters and
actions), the agent's console (intake with suggestions, caller history, revisit queue)."""

from __future__ import annotations

import pytest

from yiwang.testing.fixtures import logged_in
from yiwang.tickets.models import Ticket, TicketStatus

from .helpers import complaint

pytestmark = pytest.mark.django_db


def test_applicant_files_lists_and_rates(world):
    client = logged_in(world.citizen)
    assert client.get("/my/tickets/").status_code == 200
    res = client.post(
        "/my/tickets/", {"category": "complaint", "title": "过期食品", "content": "超市卖过期食品"}
    )
    assert res.status_code == 302
    ticket = Ticket.objects.get()
    page = client.get(res["Location"])
    assert ticket.number in page.content.decode()
    res = client.post("/my/tickets/", {"category": "complaint", "title": "", "content": ""})
    assert res.status_code == 400
    assert logged_in(world.citizen2).get(f"/my/tickets/{ticket.public_id}/").status_code == 404
    staff = logged_in(world.clerk)
    staff.post(f"/workbench/tickets/{ticket.public_id}/accept/")
    staff.post(f"/workbench/tickets/{ticket.public_id}/reply/", {"text": "已处理"})
    page = client.get(f"/my/tickets/{ticket.public_id}/").content.decode()
    assert "提交评价" in page and "/rate/" in page
    client.post(f"/my/tickets/{ticket.public_id}/rate/", {"result": "satisfied"})
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_department_queue_and_actions(world, django_assert_max_num_queries):
    for _ in range(3):
        complaint(world)
    client = logged_in(world.clerk)
    client.get("/workbench/tickets/")
    with django_assert_max_num_queries(25):
        page = client.get("/workbench/tickets/", {"status": "dispatched"})
    assert page.content.decode().count("12345-20261204-") == 3
    rows = client.get("/workbench/tickets/", {"overdue": "1"}, headers={"HX-Request": "true"})
    assert "没有符合条件的工单" in rows.content.decode()
    ticket = Ticket.objects.order_by("pk").first()
    detail = client.get(f"/workbench/tickets/{ticket.public_id}/").content.decode()
    assert "btn-accept" in detail and "139****0001" in detail
    client.post(f"/workbench/tickets/{ticket.public_id}/accept/")
    res = client.post(f"/workbench/tickets/{ticket.public_id}/reply/", {"text": ""})
    assert res.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ACCEPTED
    res = client.post(
        f"/workbench/tickets/{ticket.public_id}/transfer/",
        {"department": str(world.police.public_id), "reason": "户政"},
    )
    assert res["Location"] == "/workbench/tickets/"
    assert logged_in(world.police_clerk).get(f"/workbench/tickets/{ticket.public_id}/").status_code == 200
    assert client.get(f"/workbench/tickets/{ticket.public_id}/").status_code == 404
    assert client.post(f"/workbench/tickets/{ticket.public_id}/bogus/").status_code == 404


def test_hotline_console(world):
    agent = logged_in(world.agent)
    assert agent.get("/workbench/hotline/").status_code == 200
    hint = agent.post(
        "/workbench/hotline/suggest/", {"title": "投诉", "content": "超市卖过期食品"}
    ).content.decode()
    assert "合肥市市场监督管理局" in hint
    res = agent.post(
        "/workbench/hotline/calls/",
        {
            "caller_phone": "13700000009",
            "caller_name": "王芳",
            "category": "complaint",
            "title": "过期食品",
            "content": "超市卖过期食品",
            "dispatch": "true",
        },
    )
    assert res.status_code == 302, res.content.decode()[:500]
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.DISPATCHED and ticket.department == world.market
    history = agent.get("/workbench/hotline/callers/", {"caller_phone": "13700000009"}).content.decode()
    assert ticket.number in history
    res = agent.post("/workbench/hotline/calls/", {"category": "complaint", "title": "", "content": ""})
    assert res.status_code == 400
    assert logged_in(world.clerk).get("/workbench/hotline/").status_code == 403
    assert logged_in(world.supervisor).get("/workbench/hotline/").status_code == 200
    assert logged_in(world.citizen).get("/workbench/hotline/").status_code == 403


def test_revisit_from_the_console_closes(world):
    ticket = complaint(world)
    clerk = logged_in(world.clerk)
    clerk.post(f"/workbench/tickets/{ticket.public_id}/accept/")
    clerk.post(f"/workbench/tickets/{ticket.public_id}/reply/", {"text": "已处理"})
    agent = logged_in(world.agent)
    assert ticket.number in agent.get("/workbench/hotline/").content.decode()
    res = agent.post(
        f"/workbench/tickets/{ticket.public_id}/revisit/",
        {"result": "satisfied", "back": "/workbench/hotline/"},
    )
    assert res["Location"] == "/workbench/hotline/"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
