"""The hall's panel on the big screen (视窗): today's waiting, finished and taken tickets and the
average wait, through the metrics panel registry; translated when rendered."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from yiwang.hall.reads_queue import screen_figures
from yiwang.hall.services import queue
from yiwang.hall.tests.queue_helpers import sign_in, take
from yiwang.metrics import screen

pytestmark = pytest.mark.django_db


def test_the_big_screen_shows_the_halls_queues(world: Any, frozen: Any) -> None:
    frozen.move_to("2026-12-07 09:00+08:00")
    take(world)
    take(world)
    sign_in(world.window_market, world.clerk)
    frozen.move_to("2026-12-07 09:06+08:00")
    ticket = queue.call_next(window=world.window_market, clerk=world.clerk)
    queue.start_service(ticket=ticket, clerk=world.clerk)
    queue.finish(ticket=ticket, clerk=world.clerk)
    rows = {row["label"]: row["value"] for row in screen_figures()}
    assert rows == {"大厅等候中": 1, "今日已办结（大厅）": 1, "今日平均等候（分钟）": 6.0, "今日取号": 2}
    data = screen.compute()
    hall = next(p for p in data["panels"] if p["key"] == "hall")
    assert hall["title"] == "大厅排队" and any(p["key"] == "ratings" for p in data["panels"])
    with translation.override("en"):
        html = render_to_string("metrics/_screen_body.html", {"data": data, "charts": {}})
    assert "Waiting in the hall" in html and "Hall queues" in html
