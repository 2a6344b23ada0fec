"""The key pages on a 390 × 844 phone: nothing scrolls sideways, the content starts on the first
screen, and lists are cards whose item, status and 查看 link are visible without scrolling.

Screenshots go to /tmp/yiwang-e2e (mobile-key-*.png) for a visual check.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from yiwang.cases.services import request_correction
from yiwang.testing.portal import apply_for, materials_by_name

from .data import PASSWORD, World, build_world
from .helpers import MOBILE, login, new_context, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = MOBILE["width"], MOBILE["height"]

# The page's own width (not the emulated layout viewport, which grows to fit overflowing content).
SCROLL_WIDTH = "() => document.scrollingElement.scrollWidth"
# Where the page's first heading in <main> starts, relative to the top of the first screen.
MAIN_TOP = (
    "() => { const h = document.querySelector('main h1'); return h ? h.getBoundingClientRect().top : 1e6; }"
)


def _issue_licence(holder_id: int) -> Any:
    """A 食品经营许可证 for the citizen (in a worker thread: pyHanko cannot run in Playwright's loop)."""
    from yiwang.accounts.models import User
    from yiwang.testing import licences as factories

    try:
        issuer, _seal, _approver = factories.make_issuer("合肥市蜀山区市场监督管理局")
        return factories.issue(factories.make_type(), issuer, User.objects.get(pk=holder_id))
    finally:
        connection.close()


def _cases(world: World) -> dict[str, Any]:
    with_notice = apply_for(world.item, world.citizen, key="mobile-1")
    names = materials_by_name(world.item)
    request_correction(
        with_notice,
        actor=world.clerk,
        items=[{"material_id": str(names["公司章程"].public_id), "reason": "缺少全体股东签字"}],
        comment="请一次性补齐",
    )
    submitted = apply_for(world.item, world.citizen, key="mobile-2")
    return {"with_notice": with_notice, "submitted": submitted}


def _check_page(page: Any, name: str, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state()
    screenshot(page, f"mobile-key-{name}")
    width = page.evaluate(SCROLL_WIDTH)
    assert width <= WIDTH, f"{name}: the page is {width}px wide on a {WIDTH}px screen"
    top = page.evaluate(MAIN_TOP)
    assert top < HEIGHT / 2, f"{name}: the main content starts {top}px down, below half the first screen"


def _in_first_screen(page: Any, locator: Any, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{what} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, f"{what} is off to the side: {box}"
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, f"{what} is below the first screen: {box}"


def test_citizen_pages_fit_a_phone(browser: Any, live_server: Any, settings: Any) -> None:
    settings.YIWANG_PUBLIC_URL = live_server.url
    world = build_world()
    cases = _cases(world)
    with ThreadPoolExecutor(max_workers=1) as pool:
        licence = pool.submit(_issue_licence, world.citizen.pk).result(timeout=60)
    base = live_server.url
    ctx = new_context(browser, mobile=True)
    page = ctx.new_page()
    _check_page(page, "home", f"{base}/")
    login(page, base, "citizen", PASSWORD)
    pages = [
        ("home-citizen", f"{base}/"),
        ("search", f"{base}/search/?q=营业执照"),
        ("guide", f"{base}/items/{world.item.public_id}/"),
        ("my-cases", f"{base}/my/cases/"),
        ("case-detail", f"{base}/my/cases/{cases['with_notice'].public_id}/"),
        ("messages", f"{base}/my/messages/"),
        ("wallet", f"{base}/licences/"),
        ("licence", f"{base}/licences/{licence.public_id}/"),
    ]
    for name, url in pages:
        _check_page(page, name, url)

    # 我的办件: each case is a card whose item, status and 查看 link are on the first screen.
    page.goto(f"{base}/my/cases/")
    first = page.locator("main table tbody tr").first
    _in_first_screen(page, first.get_by_text(world.item.name), "the item name")
    _in_first_screen(page, first.locator(".badge").first, "the status")
    _in_first_screen(page, first.get_by_role("link", name="查看"), "the 查看 link")

    # 我的证照: the licence card too.
    page.goto(f"{base}/licences/")
    first = page.locator("main table tbody tr").first
    _in_first_screen(page, first.locator(".badge").first, "the licence status")
    _in_first_screen(page, first.get_by_role("link", name="查看"), "the licence's 查看 link")

    # 消息中心: every message's text fits the screen (nothing cut off on the right).
    page.goto(f"{base}/my/messages/")
    overflowing = page.evaluate(
        """(w) => [...document.querySelectorAll('main *')].filter(e => {
             const r = e.getBoundingClientRect();
             return r.width > 0 && (r.right > w + 0.5 || r.left < -0.5);
           }).map(e => e.tagName + '.' + e.className).slice(0, 5)""",
        WIDTH,
    )
    assert not overflowing, f"cut off in the message centre: {overflowing}"
    ctx.close()


def test_clerk_pages_fit_a_phone(browser: Any, live_server: Any) -> None:
    world = build_world()
    cases = _cases(world)
    base = live_server.url
    ctx = new_context(browser, mobile=True)
    page = ctx.new_page()
    login(page, base, "clerk", PASSWORD, workbench=True)
    for name, url in [
        ("workbench-todo", f"{base}/workbench/"),
        ("workbench-case", f"{base}/workbench/cases/{cases['with_notice'].public_id}/"),
        ("workbench-list", f"{base}/workbench/cases/"),
    ]:
        _check_page(page, name, url)
    # 我的待办: each case is a card with its status and 办理 button on the first screen.
    page.goto(f"{base}/workbench/")
    first = page.locator("main table tbody tr").first
    _in_first_screen(page, first.locator(".badge").first, "the status")
    _in_first_screen(page, first.get_by_role("link", name="办理"), "the 办理 button")
    ctx.close()


def test_account_menu_collapses_on_a_phone(browser: Any, live_server: Any) -> None:
    """On a phone the 我的空间 menu is folded behind its summary; on a desktop it is a sidebar."""
    build_world()
    base = live_server.url
    ctx = new_context(browser, mobile=True)
    page = ctx.new_page()
    login(page, base, "citizen", PASSWORD)
    page.goto(f"{base}/my/cases/")
    menu = page.locator("main nav.my-nav")
    toggle = menu.locator("summary")
    assert toggle.is_visible()
    assert not menu.get_by_role("link", name="账户安全").is_visible()
    toggle.click()
    assert menu.get_by_role("link", name="账户安全").is_visible()
    ctx.close()
    desktop = new_context(browser)
    page = desktop.new_page()
    login(page, base, "citizen", PASSWORD)
    page.goto(f"{base}/my/cases/")
    menu = page.locator("main nav.my-nav")
    assert not menu.locator("summary").is_visible()
    assert menu.get_by_role("link", name="账户安全").is_visible()
    desktop.close()
