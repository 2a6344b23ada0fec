"""自助服务终端 in a browser at the kiosk's 1080×1920 portrait screen: the kiosk URL binds the
browser; 刷身份证登录 reads the card through the simulated reader bridge (scripts/card_reader_sim.py,
a real HTTP server with CORS) and logs the citizen in; he finds his case and takes a ticket; axe
reports no serious or critical finding on any page, and the page's policy blocks nothing."""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import pytest
import time_machine

from yiwang.hall.models import QueueTicket
from yiwang.kiosk.services import create_device
from yiwang.testing.hall import NOW, make_world
from yiwang.testing.portal import apply_for, seed_test_calendar

from .helpers import assert_no_serious_axe_violations, new_context, screenshot, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "card_reader_sim.py"
PORTRAIT = {"width": 1080, "height": 1920}


def _simulator() -> Any:
    spec = importlib.util.spec_from_file_location("card_reader_sim", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kiosk_card_login_cases_and_ticket(browser: Any, live_server: Any, settings: Any) -> None:
    # The hall's "now" (a Monday morning; the clock moves on): the suite passes on any date.
    with time_machine.travel(NOW, tick=True):
        _walk_the_kiosk(browser, live_server, settings)


def _walk_the_kiosk(browser: Any, live_server: Any, settings: Any) -> None:
    seed_test_calendar()
    world = make_world()
    case = apply_for(world.market_item, world.citizen)
    device, secret, token = create_device(hall=world.hall, name="一楼自助终端 1 号")
    person = world.citizen.natural_person
    sim = _simulator()
    reader = sim.Reader(
        device=str(device.public_id),
        secret=secret,
        origin=live_server.url,
        card={"name": person.real_name, "id_number": person.id_number},
    )
    server = sim.make_server(reader)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.YIWANG_KIOSK_READER_URL = f"http://127.0.0.1:{server.server_port}"
    context = new_context(browser)
    try:
        page = context.new_page()
        violations = watch_csp(page)
        page.set_viewport_size(PORTRAIT)
        page.goto(f"{live_server.url}/kiosk/?device={token}")
        page.wait_for_selector("h1.kiosk-title")
        assert page.locator("html.kiosk-elderly").count() == 1  # 长辈模式 by default
        box = page.locator(".tile-card").bounding_box()
        assert box is not None and box["height"] >= 48 and box["width"] >= 48
        assert_no_serious_axe_violations(page, "kiosk home")

        page.locator(".tile-card").click()
        page.wait_for_url(f"{live_server.url}/kiosk/")
        page.wait_for_selector("#kiosk-logout-form button")
        assert "张*" in page.locator(".kiosk-who").inner_text()
        screenshot(page, "kiosk-home-logged-in")

        page.locator(".tile-cases").click()
        page.wait_for_selector(f"text={case.number}")
        assert_no_serious_axe_violations(page, "kiosk cases")
        page.locator(".kiosk-row").first.click()
        page.wait_for_selector(".kiosk-steps")
        assert_no_serious_axe_violations(page, "kiosk case detail")

        page.goto(f"{live_server.url}/kiosk/")
        page.locator(".tile-ticket").click()
        page.wait_for_selector(".kiosk-tiles-list")
        assert_no_serious_axe_violations(page, "kiosk ticket")
        page.locator(".kiosk-tiles-list button", has_text="市场监管").click()
        page.wait_for_selector("#kiosk-ticket-number")
        assert page.locator("#kiosk-ticket-number").inner_text() == "A001"
        assert_no_serious_axe_violations(page, "kiosk ticket taken")
        screenshot(page, "kiosk-ticket")
        assert QueueTicket.objects.get().applicant_id == world.citizen.pk

        page.locator("#kiosk-logout-form button").click()
        page.wait_for_selector(".tile-card")
        assert not violations, violations
    finally:
        context.close()
        server.shutdown()
        server.server_close()
