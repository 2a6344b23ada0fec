"""智能客服 in a browser: on the portal home page the visitor opens the assistant, asks how to apply
for 个体工商户 and gets an answer with a guide link, then asks for a person and gets a ticket number."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yiwang.testing.knowledge import NOW, make_world
from yiwang.testing.portal import seed_test_calendar

from .helpers import new_context, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_ask_the_assistant_and_hand_over(browser: Any, live_server: Any) -> None:
    with time_machine.travel(NOW, tick=True):
        seed_test_calendar()
        world = make_world()
        page = new_context(browser).new_page()
        violations = watch_csp(page)
        page.goto(f"{live_server.url}/")
        page.get_by_role("link", name="智能客服").click()
        dialog = page.get_by_role("dialog", name="智能客服")
        dialog.wait_for()
        dialog.get_by_label("您的问题").fill("怎么办理个体工商户")
        dialog.get_by_label("您的问题").press("Enter")
        guide = dialog.locator(f'a[href="/items/{world.item.public_id}/"]')
        guide.first.wait_for()
        dialog.get_by_label("您的问题").fill("转人工")
        dialog.get_by_role("button", name="发送").click()
        code = dialog.locator("[data-ticket-code]")
        code.wait_for()
        assert code.inner_text().strip()
        page.keyboard.press("Escape")
        assert not violations
