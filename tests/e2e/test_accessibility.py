"""axe-core (WCAG 2.0/2.1 A and AA) on every portal page and the workbench, normal and 长辈版.

No page may have a violation of impact "serious" or "critical".  Screenshots of each page, on a
desktop and a 390 px wide phone, are written to /tmp/yiwang-e2e for a visual check.
"""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.cases.services import request_correction
from yiwang.testing.portal import apply_for, materials_by_name

from .data import PASSWORD, World, build_world
from .helpers import MOBILE, assert_no_serious_axe_violations, login, new_context, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _cases(world: World) -> dict[str, Any]:
    with_notice = apply_for(world.item, world.citizen, key="axe-1")
    names = materials_by_name(world.item)
    request_correction(
        with_notice,
        actor=world.clerk,
        items=[
            {"material_id": str(names["公司章程"].public_id), "reason": "缺少全体股东签字"},
            {"material_id": "", "name": "申请表“经营范围”", "reason": "请按规范表述填写"},
        ],
        comment="请一次性补齐",
    )
    submitted = apply_for(world.item, world.citizen, key="axe-2")
    return {"with_notice": with_notice, "submitted": submitted}


def _pages(base: str, world: World, cases: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    item = world.item.public_id
    return {
        "anonymous": [
            ("home", f"{base}/"),
            ("search", f"{base}/search/?q=营业执照"),
            ("guide", f"{base}/items/{item}/"),
            ("login", f"{base}/login/"),
            ("register", f"{base}/register/"),
            (
                "status",
                f"{base}/status/?number={cases['submitted'].number}&id_tail={cases['submitted'].applicant_id_number[-4:]}",
            ),
            ("status-error", f"{base}/status/?number=nope&id_tail=12"),
            ("workbench-login", f"{base}/workbench/login/"),
        ],
        "citizen": [
            ("apply", f"{base}/items/{item}/apply/"),
            ("my-cases", f"{base}/my/cases/"),
            ("case-detail", f"{base}/my/cases/{cases['with_notice'].public_id}/"),
            ("messages", f"{base}/my/messages/"),
        ],
        "clerk": [
            ("workbench-todo", f"{base}/workbench/"),
            ("workbench-case", f"{base}/workbench/cases/{cases['submitted'].public_id}/"),
            ("workbench-list", f"{base}/workbench/cases/"),
        ],
    }


@pytest.mark.parametrize("elderly", [False, True], ids=["normal", "elderly"])
def test_no_serious_axe_violations(browser: Any, live_server: Any, elderly: bool) -> None:
    world = build_world()
    cases = _cases(world)
    base = live_server.url
    pages = _pages(base, world, cases)
    mode = "elderly" if elderly else "normal"
    for who, urls in pages.items():
        ctx = new_context(browser)
        if elderly:
            ctx.add_cookies([{"name": "elderly", "value": "1", "url": base}])
        page = ctx.new_page()
        if who == "citizen":
            login(page, base, "citizen", PASSWORD)
        elif who == "clerk":
            login(page, base, "clerk", PASSWORD, workbench=True)
        for name, url in urls:
            page.goto(url)
            assert ("elderly" in page.evaluate("() => document.body.className")) is elderly
            assert_no_serious_axe_violations(page, f"{name} ({mode})")
            screenshot(page, f"axe-{mode}-{name}")
        ctx.close()


# Under mobile emulation the layout viewport grows to fit overflowing content, so compare with the
# device width rather than window.innerWidth.
FITS = f"() => document.documentElement.scrollWidth <= {MOBILE['width']} && window.innerWidth <= {MOBILE['width']}"


def test_pages_fit_a_phone_screen(browser: Any, live_server: Any) -> None:
    """At 390 px nothing scrolls sideways (tables scroll inside their own region)."""
    world = build_world()
    cases = _cases(world)
    base = live_server.url
    ctx = new_context(browser, mobile=True)
    page = ctx.new_page()
    checks = [("home", f"{base}/"), ("guide", f"{base}/items/{world.item.public_id}/")]
    for name, url in checks:
        page.goto(url)
        assert page.evaluate(FITS), name
        screenshot(page, f"mobile-{name}")
    login(page, base, "citizen", PASSWORD)
    for name, url in [
        ("apply", f"{base}/items/{world.item.public_id}/apply/"),
        ("case-detail", f"{base}/my/cases/{cases['with_notice'].public_id}/"),
        ("my-cases", f"{base}/my/cases/"),
    ]:
        page.goto(url)
        assert page.evaluate(FITS), name
        screenshot(page, f"mobile-{name}")
    ctx.close()
    ctx = new_context(browser, mobile=True)
    page = ctx.new_page()
    login(page, base, "clerk", PASSWORD, workbench=True)
    for name, url in [
        ("workbench-todo", f"{base}/workbench/"),
        ("workbench-case", f"{base}/workbench/cases/{cases['submitted'].public_id}/"),
    ]:
        page.goto(url)
        assert page.evaluate(FITS), name
        screenshot(page, f"mobile-{name}")
    ctx.close()
    # 长辈版 on a phone: larger type, still no sideways scrolling.
    ctx = new_context(browser, mobile=True)
    ctx.add_cookies([{"name": "elderly", "value": "1", "url": base}])
    page = ctx.new_page()
    login(page, base, "citizen", PASSWORD)
    for name, url in [
        ("home", f"{base}/"),
        ("guide", f"{base}/items/{world.item.public_id}/"),
        ("case-detail", f"{base}/my/cases/{cases['with_notice'].public_id}/"),
    ]:
        page.goto(url)
        assert page.evaluate(FITS), f"elderly {name}"
        screenshot(page, f"mobile-elderly-{name}")
    ctx.close()


def test_keyboard_skip_link_and_visible_focus(page: Any, live_server: Any) -> None:
    build_world()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className, document.activeElement.getAttribute('href')]"
    )
    assert focused == ["skip-link", "#main"]
    # The skip link becomes visible when focused.
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().top >= 0")
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    # Focus is visible: the focused control gets an outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
