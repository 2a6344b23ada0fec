"""The queue API: taking, calling and finishing through /api/v1/hall/, who may do what."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from django.test import Client

from yiwang.hall.tests.queue_helpers import book
from yiwang.testing.clients import token_client

API = "/api/v1/hall"
J = "application/json"


def test_take_call_finish_over_the_api(world: Any) -> None:
    citizen, clerk, other = (
        token_client(world.citizen),
        token_client(world.clerk),
        token_client(world.citizen2),
    )
    hall = world.hall.public_id
    taken = citizen.post(f"{API}/halls/{hall}/tickets", {"category": "a"}, content_type=J)
    assert taken.status_code == 201, taken.content
    ticket = taken.json()
    assert ticket["number"] == "A001" and ticket["source"] == "mobile" and ticket["waiting_before"] == 0
    no_category = citizen.post(f"{API}/halls/{hall}/tickets", {"category": "Z"}, content_type=J)
    no_hall = citizen.post(f"{API}/halls/{uuid4()}/tickets", {"category": "A"}, content_type=J)
    assert no_category.status_code == no_hall.status_code == 404
    assert no_category.json()["code"] == no_hall.json()["code"] == "hall_not_found"
    assert no_category.json()["message"] != no_hall.json()["message"]  # which of the two is missing
    assert citizen.get(f"{API}/tickets/{ticket['id']}").status_code == 200
    assert other.get(f"{API}/tickets/{ticket['id']}").status_code == 404
    board = Client().get(f"{API}/halls/{hall}/queue").json()
    assert board["categories"][0]["waiting"] == 1
    window = world.window_market.public_id
    assert citizen.post(f"{API}/windows/{window}/open").status_code == 404
    assert clerk.post(f"{API}/windows/{window}/call-next").status_code == 409  # not signed in
    assert clerk.post(f"{API}/windows/{window}/open").json()["status"] == "open"
    called = clerk.post(f"{API}/windows/{window}/call-next").json()
    assert called["status"] == "called" and called["window"] == "02"
    assert citizen.post(f"{API}/tickets/{ticket['id']}/recall").status_code == 403
    assert clerk.post(f"{API}/tickets/{ticket['id']}/recall").json()["call_count"] == 2
    assert clerk.post(f"{API}/tickets/{ticket['id']}/start").json()["status"] == "serving"
    done = clerk.post(f"{API}/tickets/{ticket['id']}/finish", {"case_ids": []}, content_type=J)
    assert done.json()["status"] == "done"
    assert clerk.post(f"{API}/windows/{window}/call-next").json()["code"] == "hall_queue_empty"
    assert clerk.post(f"{API}/windows/{window}/pause").json()["status"] == "paused"
    assert clerk.post(f"{API}/windows/{window}/close").json()["status"] == "closed"


def test_transfer_skip_and_check_in(world: Any, frozen: Any) -> None:
    clerk = token_client(world.clerk)
    hall = world.hall.public_id
    ticket = clerk.post(f"{API}/halls/{hall}/tickets", {"category": "A"}, content_type=J).json()
    assert ticket["source"] == "window"
    window = world.window_market.public_id
    clerk.post(f"{API}/windows/{window}/open")
    clerk.post(f"{API}/windows/{window}/call-next")
    moved = clerk.post(f"{API}/tickets/{ticket['id']}/transfer", {"category": "B"}, content_type=J).json()
    assert moved["number"] == "A001" and moved["category"] == "B" and moved["id"] != ticket["id"]
    assert clerk.post(f"{API}/tickets/{moved['id']}/transfer", {}, content_type=J).status_code == 400
    bad = clerk.post(f"{API}/tickets/{moved['id']}/transfer", {"category": "A"}, content_type=J)
    assert bad.status_code == 403  # not at this clerk's window
    frozen.move_to(datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    appointment = book(world, datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    url = f"{API}/appointments/{appointment.public_id}/check-in"
    assert token_client(world.citizen2).post(url, {}, content_type=J).status_code == 404
    checked = token_client(world.citizen).post(url, {"channel": "mobile"}, content_type=J)
    assert checked.status_code == 201 and checked.json()["priority"] == 1
    assert token_client(world.citizen).post(url, {}, content_type=J).status_code == 409


def test_statistics(world: Any) -> None:
    hall = world.hall.public_id
    url = f"{API}/halls/{hall}/statistics"
    assert token_client(world.citizen).get(url).status_code == 403
    data = token_client(world.manager).get(url + "?from=2026-12-01&to=2026-12-07").json()
    assert data["total"]["total"] == 0
    assert token_client(world.manager).get(url + "?from=2026-12-07&to=2026-12-01").status_code == 400
    assert token_client(world.supervisor).get(url).status_code == 200
