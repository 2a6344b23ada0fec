"""Device pages: the queue screen and its board fragment (two queries), the announcements feed,
the ticket machine and the rating device."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.test import Client

from yiwang.hall import reads_queue
from yiwang.hall.models import QueueTicket
from yiwang.hall.services import queue, windows
from yiwang.hall.tests.queue_helpers import sign_in, take
from yiwang.ratings.models import RatingInvitation


def test_queue_screen_and_board(world: Any, client: Client, django_assert_max_num_queries: Any) -> None:
    for _ in range(5):
        take(world)
    take(world, world.category_police, green_reason="elderly")
    sign_in(world.window_market, world.clerk)
    queue.call_next(window=world.window_market, clerk=world.clerk)
    page = client.get("/hall/queue/hefei/")
    assert page.status_code == 200
    assert "请A001号到02号窗口办理" in page.content.decode()
    client.get("/hall/queue/hefei/board/")  # the layout is cached now
    with django_assert_max_num_queries(2):
        board = client.get("/hall/queue/hefei/board/")
    body = board.content.decode()
    assert board.status_code == 200 and "A001" in body and "<html" not in body
    assert client.get("/hall/queue/nowhere/board/").status_code == 404
    cache.clear()


def test_board_counts_per_category_and_the_number_at_each_window(world: Any) -> None:
    """The board counts waiting tickets in SQL (grouped): the counts stay exact."""
    for _ in range(3):
        take(world)
    take(world, green_reason="elderly")
    take(world, world.category_police, green_reason="disabled")
    take(world, world.category_police)
    sign_in(world.window_market, world.clerk)
    called = queue.call_next(window=world.window_market, clerk=world.clerk)
    assert called.number == "A004"  # the green channel first
    data = reads_queue.board("hefei")
    assert data is not None
    by_prefix = {c["prefix"]: (c["waiting"], c["green_waiting"]) for c in data["categories"]}
    assert by_prefix["A"] == (3, 0) and by_prefix["B"] == (2, 1)
    assert sum(waiting for waiting, _ in by_prefix.values()) == 5
    window = next(w for w in data["windows"] if w["number"] == world.window_market.number)
    assert window["ticket"] == "A004" and not window["serving"]
    assert [c["number"] for c in data["now_calling"]] == ["A004"]
    queue.start_service(ticket=called, clerk=world.clerk)
    data = reads_queue.board("hefei")
    assert data is not None
    window = next(w for w in data["windows"] if w["number"] == world.window_market.number)
    assert window["ticket"] == "A004" and window["serving"]
    cache.clear()


def test_announcements_feed(world: Any, client: Client) -> None:
    take(world)
    take(world)
    sign_in(world.window_market, world.clerk)
    ticket = queue.call_next(window=world.window_market, clerk=world.clerk)
    queue.recall(ticket=ticket, clerk=world.clerk)
    data = client.get("/hall/queue/hefei/announcements.json").json()
    assert [a["kind"] for a in data["announcements"]] == ["called", "recalled"]
    assert data["announcements"][0]["text"] == "请A001号到02号窗口办理"
    after = client.get(f"/hall/queue/hefei/announcements.json?after={data['last']}").json()
    assert after["announcements"] == [] and after["last"] == data["last"]
    assert client.get("/hall/queue/hefei/announcements.json?after=x").status_code == 400


def test_ticket_machine(world: Any, client: Client) -> None:
    assert client.get("/hall/take/hefei/").status_code == 200
    answer = client.post("/hall/take/hefei/", {"category": "B", "green_reason": "disabled"})
    assert answer.status_code == 200 and "B001" in answer.content.decode()
    ticket = QueueTicket.objects.get()
    assert ticket.green_reason == "disabled" and ticket.source == "kiosk"
    assert client.post("/hall/take/hefei/", {"category": "Z"}).status_code == 409


def test_rating_device(world: Any, client: Client) -> None:
    key = windows.issue_device_key(window=world.window_market)
    url = f"/hall/rate/{world.window_market.public_id}/"
    assert client.get(url + "?key=wrong").status_code == 404
    take(world)
    sign_in(world.window_market, world.clerk)
    ticket = queue.call_next(window=world.window_market, clerk=world.clerk)
    assert "A001" not in client.get(url + f"?key={key}").content.decode()
    queue.finish(ticket=ticket, clerk=world.clerk)
    fragment = client.get(url + f"?key={key}", headers={"HX-Request": "true"})
    assert "A001" in fragment.content.decode()
    answer = client.post(url, {"key": key, "ticket": str(ticket.public_id), "level": "5"})
    assert answer.status_code == 200
    invitation = RatingInvitation.objects.get(subject_id=ticket.public_id)
    assert invitation.status == "rated" and invitation.level == 5
    assert client.post(url, {"key": key, "ticket": str(ticket.public_id), "level": "5"}).status_code == 400
