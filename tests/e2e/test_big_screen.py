"""视窗系统 in a browser: the hall's screen opens with its display key, draws its charts and refreshes
itself by htmx polling; a service manager's dashboard draws every chart (each with its table)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiwang.metrics import aggregates, screen
from yiwang.testing.catalog import login_verified
from yiwang.testing.metrics import at, make_case, make_world
from yiwang.testing.portal import seed_test_calendar

from .helpers import new_context, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_big_screen_draws_and_refreshes(
    browser: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(screen, "SNAPSHOT_SECONDS", 1)  # poll every second instead of every 15
    seed_test_calendar()
    world = make_world()
    make_case(world, world.licence, at(timezone.localdate()), channel="window")
    aggregates.recount()
    _key, token = screen.create_key("e2e 大屏")

    page = new_context(browser).new_page()
    violations = watch_csp(page)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}/screen/?key={token}")
    page.wait_for_selector("#chart-status canvas")
    for chart in ("chart-channel", "chart-department", "chart-top", "chart-region"):
        page.wait_for_selector(f"#{chart} canvas")
    first = page.get_attribute("body", "data-refreshed")
    for _ in range(40):  # polled from Python: a JS predicate would need eval, which the CSP refuses
        if page.get_attribute("body", "data-refreshed") != first:
            break
        page.wait_for_timeout(250)
    assert page.get_attribute("body", "data-refreshed") != first, "the screen did not refresh"
    assert page.locator(".tile-filed .tile-value").inner_text() == "1"
    assert not violations

    client = login_verified(Client(), world.manager)
    context = new_context(browser)
    context.add_cookies(
        [{"name": n, "value": m.value, "url": live_server.url} for n, m in client.cookies.items()]
    )
    dashboard = context.new_page()
    dashboard.goto(f"{live_server.url}/workbench/dashboards/")
    for chart in ("status", "channel", "department", "top"):
        dashboard.wait_for_selector(f"#chart-{chart}[data-drawn='1'] canvas")
    assert dashboard.locator("table caption").count() >= 5
