"""The Content-Security-Policy in a browser: the pages whose scripts moved out of the templates
(the catalogue statistics and the case report charts, the licence print sheet) work under the policy,
and chromium reports no violation (a blocked inline script, handler or style) on any of them."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.testing import portal as factories
from yiwang.testing.portal import apply_for

from .data import PASSWORD, build_world
from .helpers import login, new_context, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_chart_pages_draw_their_charts_without_policy_violations(browser: Any, live_server: Any) -> None:
    world = build_world()
    factories.make_staff(world.department, "manager", ["service_manager"], "赵敏")
    apply_for(world.item, world.citizen, key="csp")
    base = live_server.url

    ctx = new_context(browser)
    page = ctx.new_page()
    manager_violations = watch_csp(page)
    login(page, base, "manager", PASSWORD, workbench=True)
    page.goto(base + "/workbench/catalog/statistics/")
    for chart in ("chart-department", "chart-type", "chart-depth"):
        page.wait_for_selector(f"#{chart} canvas")
    page.locator("#chart-department canvas").hover()  # the tooltip is HTML echarts writes
    ctx.close()
    assert not manager_violations, manager_violations

    ctx = new_context(browser)
    page = ctx.new_page()
    violations = watch_csp(page)
    login(page, base, "clerk", PASSWORD, workbench=True)
    page.goto(base + "/workbench/library/report/")
    page.wait_for_selector("#chart-report canvas")
    page.locator("#chart-report canvas").hover()
    page.goto(base + "/")
    assert not violations, violations
    # The watcher sees what the policy blocks: an inline script added to the page is refused.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran") is None
    assert violations and "script-src" in violations[0], violations
    ctx.close()
