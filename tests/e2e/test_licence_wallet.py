"""A citizen's licence in a browser: my licences → the licence → a share link → the verification page."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from yiwang.licences import services
from yiwang.testing import licences as factories

from .helpers import login, new_context, screenshot, watch_csp


def _world() -> Any:
    try:
        issuer, _seal, _approver = factories.make_issuer()
        citizen = factories.make_citizen("licence_holder")
        return factories.issue(factories.make_type(), issuer, citizen)
    finally:
        connection.close()


pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_shares_a_licence_and_a_third_party_verifies_it(
    browser: Any, live_server: Any, settings: Any
) -> None:
    settings.YIWANG_PUBLIC_URL = live_server.url
    # pyHanko signs with asyncio.run(), which cannot run inside Playwright's event loop: issue the
    # licence in a worker thread (its own DB connection; the test is transactional).
    with ThreadPoolExecutor(max_workers=1) as pool:
        licence = pool.submit(_world).result(timeout=60)
    base = live_server.url

    ctx = new_context(browser)
    page = ctx.new_page()
    csp_violations = watch_csp(page)
    login(page, base, "licence_holder", factories.PASSWORD)
    page.goto(base + "/licences/")
    screenshot(page, "licence-00-wallet")
    assert page.get_by_role("heading", level=1).inner_text() == "我的证照"
    page.locator("table").get_by_role("link", name=re.compile(r"^查看")).click()
    page.wait_for_url(f"**/licences/{licence.public_id}/")
    assert licence.identifier in page.locator("dl.licence-facts").inner_text()
    screenshot(page, "licence-01-detail")

    page.get_by_label("1 天").check()
    page.locator("#create-share").click()
    share_link = page.locator("#share-link")
    share_url = share_link.get_attribute("href")
    assert share_url and "/licences/shared/" in share_url
    assert page.locator("#share-created svg").count() == 1
    screenshot(page, "licence-02-share")
    page.goto(f"{base}/licences/{licence.public_id}/print/")  # 纸质等效件: its styles and script are files
    assert page.locator("button[data-print]").is_visible()
    assert (
        page.evaluate("() => getComputedStyle(document.querySelector('.sheet')).borderTopStyle") == "double"
    )
    assert not csp_violations, csp_violations
    ctx.close()

    # A third party opens the link without logging in, then scans the QR code on the licence.
    other = new_context(browser)
    viewer = other.new_page()
    viewer.goto(share_url)
    assert "有效" in viewer.locator("#verify-result").inner_text()
    viewer.goto(services.verify_url(licence.identifier))
    result = viewer.locator("#verify-result")
    assert "有效" in result.inner_text()
    assert "电子证照真实" in result.inner_text()
    assert licence.holder_code not in viewer.content()
    screenshot(viewer, "licence-03-verify")
    other.close()
