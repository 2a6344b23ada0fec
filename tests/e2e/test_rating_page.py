"""好差评 in a browser: a citizen opens the SMS rating link of a completed case without logging in,
rates 不满意 with a reason; the department's handler finds the rectification, records the call back
and replies; the citizen sees the reply on the same link."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yiwang.accounts.models import InboxMessage
from yiwang.ratings.models import Rectification
from yiwang.ratings.services import install_defaults
from yiwang.testing.portal import seed_test_calendar
from yiwang.testing.ratings import NOW, complete_case, make_world

from .helpers import new_context, page_as, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_rates_dissatisfied_and_the_department_replies(browser: Any, live_server: Any) -> None:
    with time_machine.travel(NOW, tick=True):
        seed_test_calendar()
        world = make_world()
        install_defaults()
        invitation = complete_case(world.item, world.citizen)
        message = InboxMessage.objects.get(user=world.citizen, link=f"/rate/{invitation.token}/")
        link = message.body[message.body.index("http") :]
        path = link[link.index("/rate/") :]

        citizen = new_context(browser).new_page()  # no log-in: the SMS link is the key
        violations = watch_csp(citizen)
        citizen.goto(f"{live_server.url}{path}")
        citizen.get_by_role("radio", name="不满意", exact=True).check()
        citizen.get_by_role("checkbox", name="办理时间长").check()
        citizen.get_by_label("文字评价（选填，500 字以内）").fill("跑了两趟")
        citizen.get_by_role("button", name="提交评价").click()
        citizen.wait_for_selector("#rate-done")
        assert "不满意" in citizen.locator("#rate-done").inner_text()
        rect = Rectification.objects.get(invitation=invitation)

        handler = page_as(browser, live_server, world.handler)
        handler.goto(f"{live_server.url}/workbench/ratings/")
        handler.get_by_role("link", name=invitation.subject_label).click()
        handler.wait_for_url(f"**/workbench/ratings/{rect.public_id}/")
        handler.get_by_role("radio", name="属实", exact=True).check()
        handler.get_by_label("回访记录").fill("已电话联系申请人，情况属实")
        handler.get_by_role("button", name="提交回访核实").click()
        handler.wait_for_selector("#form-rectify")
        handler.get_by_label("整改情况").fill("增设帮办代办窗口")
        handler.get_by_role("button", name="提交整改").click()
        handler.wait_for_selector("#form-reply")
        handler.get_by_label("答复申请人").fill("已整改，欢迎再次监督")
        handler.get_by_role("button", name="发送答复").click()
        handler.wait_for_selector("#rect-reply")
        rect.refresh_from_db()
        assert rect.status == "replied"

        citizen.goto(f"{live_server.url}{path}")
        assert "已整改，欢迎再次监督" in citizen.locator("#rate-reply").inner_text()
        assert not violations
