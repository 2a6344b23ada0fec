"""12345 投诉 in a browser: a citizen files a complaint at /my/tickets/, the routing rules send it to
the market regulator, whose clerk accepts and replies at /workbench/tickets/ (htmx), the hotline
agent revisits it at /workbench/hotline/ (满意) and the ticket closes."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yiwang.testing.portal import seed_test_calendar
from yiwang.testing.tickets import NOW, make_world
from yiwang.tickets.models import Ticket

from .helpers import page_as, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_complaint_is_routed_answered_revisited_and_closed(browser: Any, live_server: Any) -> None:
    with time_machine.travel(NOW, tick=True):
        seed_test_calendar()
        world = make_world()

        citizen = page_as(browser, live_server, world.citizen)
        violations = watch_csp(citizen)
        citizen.goto(f"{live_server.url}/my/tickets/")
        citizen.get_by_label("诉求类别").select_option("complaint")
        citizen.get_by_label("标题").fill("超市销售过期食品")
        citizen.get_by_label("诉求内容").fill("我在某超市买到过期食品，商家拒绝退换，投诉。")
        citizen.get_by_role("button", name="提交").click()
        citizen.wait_for_url("**/my/tickets/*-*-*-*-*/")
        ticket = Ticket.objects.get()
        assert ticket.department == world.market and ticket.status == "dispatched"

        clerk = page_as(browser, live_server, world.clerk)
        clerk_violations = watch_csp(clerk)
        clerk.goto(f"{live_server.url}/workbench/tickets/")
        clerk.get_by_role("link", name=ticket.number).click()
        clerk.wait_for_url(f"**/workbench/tickets/{ticket.public_id}/")
        clerk.get_by_role("button", name="签收").click()
        clerk.get_by_label("答复内容").fill("已责令商家退换并立案调查。")
        clerk.get_by_role("button", name="答复", exact=True).click()
        clerk.locator("#ticket-reply").wait_for()
        ticket.refresh_from_db()
        assert ticket.status == "replied"

        agent = page_as(browser, live_server, world.agent)
        agent_violations = watch_csp(agent)
        agent.goto(f"{live_server.url}/workbench/hotline/")
        row = agent.locator(f"#revisit-{ticket.number}")
        row.get_by_label("回访结果").select_option("satisfied")
        row.get_by_role("button", name="提交回访").click()
        agent.wait_for_load_state()
        ticket.refresh_from_db()
        assert ticket.status == "closed" and ticket.revisit_result == "satisfied"

        citizen.reload()
        assert "已办结" in citizen.locator("#ticket-status").inner_text()
        assert not violations and not clerk_violations and not agent_violations
