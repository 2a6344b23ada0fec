"""Read-your-writes in the replica router (ADR 0021), in one process: which alias each read gets.

The replica alias points at the primary's settings here (no second server); the real replica, with
replay paused, is test_scaleout_replica.py.  Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from yiwang.catalog.models import ServiceItem
from yiwang.core.dbrouter import COOKIE, ReadYourWritesMiddleware, ReplicaRouter, mark_write, primary_reads

# No database marker: a test transaction is an atomic block, where every read stays on the primary.
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class _User:
    is_authenticated = True

    def __init__(self, pk: int) -> None:
        self.pk = pk


@pytest.fixture(autouse=True)
def replica(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setitem(connections.databases, "replica", dict(connections.databases["default"]))
    settings.YIWANG_READ_YOUR_WRITES_SECONDS = 10


def _serve(request: HttpRequest, view: Callable[[HttpRequest], Any] | None = None) -> tuple[str | None, Any]:
    """Run ``request`` through the middleware; the view answers where a catalogue read would go."""
    seen: dict[str, Any] = {}

    def handler(req: HttpRequest) -> HttpResponse:
        if view is not None:
            view(req)
        seen["alias"] = ReplicaRouter().db_for_read(ServiceItem)
        return HttpResponse("ok")

    response = ReadYourWritesMiddleware(handler)(request)
    return seen["alias"], response


def _request(method: str, user: Any = None, cookie: str | None = None) -> HttpRequest:
    request = getattr(RequestFactory(), method.lower())("/")
    if cookie is not None:
        request.COOKIES[COOKIE] = cookie
    if user is not None:
        request.user = user
    return request


def test_reads_of_a_user_who_has_not_written_go_to_the_replica() -> None:
    assert _serve(_request("GET", _User(1)))[0] == "replica"
    assert _serve(_request("GET"))[0] == "replica"


def test_a_post_reads_from_the_primary_and_marks_its_user_and_browser() -> None:
    alias, response = _serve(_request("POST", _User(7)))
    assert alias == "default"
    until = float(response.cookies[COOKIE].value)
    assert time.time() < until <= time.time() + 10
    assert response.cookies[COOKIE]["httponly"]
    # The same user on another device (no cookie): the mark in the cache sends him to the primary.
    assert _serve(_request("GET", _User(7)))[0] == "default"
    # The browser that wrote, even where the platform does not know the user (a public page).
    assert _serve(_request("GET", cookie=response.cookies[COOKIE].value))[0] == "default"
    # Somebody else still reads the replica.
    assert _serve(_request("GET", _User(8)))[0] == "replica"


def test_the_mark_ends_after_the_window(settings: Any) -> None:
    settings.YIWANG_READ_YOUR_WRITES_SECONDS = 10
    with time_machine.travel(START, tick=False) as clock:
        _serve(_request("POST", _User(7)))
        clock.shift(9)
        assert _serve(_request("GET", _User(7)))[0] == "default"
        clock.shift(2)
        assert _serve(_request("GET", _User(7)))[0] == "replica"


def test_a_forged_cookie_lasts_no_longer_than_the_window() -> None:
    assert _serve(_request("GET", cookie=str(int(time.time()) - 1)))[0] == "replica"
    assert _serve(_request("GET", cookie="not-a-number"))[0] == "replica"
    assert _serve(_request("GET", cookie=str(int(time.time()) + 5)))[0] == "default"


def test_a_write_of_a_replica_model_in_a_get_marks_the_user() -> None:
    alias, response = _serve(
        _request("GET", _User(9)), view=lambda req: ReplicaRouter().db_for_write(ServiceItem)
    )
    assert alias == "default"
    assert COOKIE in response.cookies
    assert _serve(_request("GET", _User(9)))[0] == "default"


def test_a_service_marks_a_write_for_a_user_outside_a_request() -> None:
    mark_write(_User(11))
    assert _serve(_request("GET", _User(11)))[0] == "default"
    assert _serve(_request("GET", _User(12)))[0] == "replica"


def test_primary_reads_block_and_zero_window(settings: Any) -> None:
    with primary_reads():
        assert ReplicaRouter().db_for_read(ServiceItem) == "default"
    assert ReplicaRouter().db_for_read(ServiceItem) == "replica"
    settings.YIWANG_READ_YOUR_WRITES_SECONDS = 0  # off: lag-tolerant reads always from the replica
    alias, response = _serve(_request("POST", _User(13)))
    assert alias == "replica" and COOKIE not in response.cookies
