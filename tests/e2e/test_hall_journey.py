"""智能化大厅 in a browser, the whole visit: a citizen books a slot from the item guide, checks in at
the kiosk with the booking code and gets an appointment-priority ticket; the clerk opens the market
window, calls the ticket (the queue screen shows it with its announcement), serves and finishes; the
window's rating device shows the finished ticket and the citizen rates it; the rating counts in 好差评."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yiwang.hall.models import Appointment, QueueTicket
from yiwang.hall.services import slots
from yiwang.hall.services.windows import issue_device_key
from yiwang.kiosk.services import create_device
from yiwang.ratings.models import Rating, RatingInvitation
from yiwang.testing.hall import NOW, make_world
from yiwang.testing.portal import seed_test_calendar

from .helpers import assert_no_serious_axe_violations, new_context, page_as, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_book_check_in_call_serve_and_rate(browser: Any, live_server: Any) -> None:
    with time_machine.travel(NOW, tick=True):
        seed_test_calendar()
        world = make_world()
        slots.materialise_slots(world.hall, days=14)
        item = world.market_item

        # 1. The citizen books the first slot of today from the item guide's booking block.
        citizen = page_as(browser, live_server, world.citizen)
        violations = watch_csp(citizen)
        citizen.goto(f"{live_server.url}/items/{item.public_id}/")
        # the booking block loads the slot picker (htmx) showing the first day with free slots; wait
        # for it before choosing, so the choice is made in the picker that stays
        slot = citizen.locator("#booking input[name=slot]").first
        slot.wait_for()
        slot.check()
        assert slot.is_checked()
        citizen.locator("#booking").get_by_role("button", name="确认预约").click()
        citizen.wait_for_url("**/my/appointments/*-*/")
        citizen.wait_for_selector("#appointment-code")
        code = citizen.locator("#appointment-code").inner_text().strip()
        appointment = Appointment.objects.get(code=code)
        assert appointment.applicant_id == world.citizen.pk and appointment.status == "booked"
        assert_no_serious_axe_violations(citizen, "appointment detail")

        # 2. At the kiosk (a registered device), 预约签到 with the booking code takes the ticket.
        _device, _secret, token = create_device(hall=world.hall, name="一楼自助终端")
        kiosk = new_context(browser).new_page()
        kiosk.set_viewport_size({"width": 1080, "height": 1920})
        kiosk.goto(f"{live_server.url}/kiosk/?device={token}")
        kiosk.goto(f"{live_server.url}/kiosk/checkin/")
        kiosk.get_by_label("预约号（或扫描预约二维码）").fill(code)
        kiosk.get_by_role("button", name="签到", exact=True).click()
        kiosk.wait_for_selector("#kiosk-ticket-number")
        number = kiosk.locator("#kiosk-ticket-number").inner_text().strip()
        ticket = QueueTicket.objects.get(appointment=appointment)
        assert ticket.number == number and ticket.priority == 1  # 预约优先

        # 3. The market clerk opens window 02 and calls: the appointment's ticket comes first.
        clerk = page_as(browser, live_server, world.clerk)
        clerk.goto(f"{live_server.url}/workbench/hall/")
        clerk.get_by_role("row", name="02").get_by_role("button", name="登录窗口").click()
        clerk.get_by_role("button", name="叫下一个号").click()
        clerk.wait_for_selector(f"text={number}")
        screen = new_context(browser).new_page()
        screen.set_viewport_size({"width": 1920, "height": 1080})
        screen.goto(f"{live_server.url}/hall/queue/{world.hall.code}/")
        assert number in screen.locator("body").inner_text()
        clerk.get_by_role("button", name="开始办理").click()
        clerk.wait_for_load_state()
        clerk.get_by_role("button", name="办结").click()
        clerk.wait_for_selector("text=暂无正在办理的号码。")
        ticket.refresh_from_db()
        appointment.refresh_from_db()
        assert ticket.status == "done" and appointment.status == "served"

        # 4. The window's rating device shows the finished ticket; the citizen rates 满意.
        key = issue_device_key(window=world.window_market)
        device = new_context(browser).new_page()
        device.goto(f"{live_server.url}/hall/rate/{world.window_market.public_id}/?key={key}")
        device.get_by_role("button", name="满意", exact=True).click()
        device.wait_for_selector("text=感谢您的评价！")
        invitation = RatingInvitation.objects.get(subject_kind="hall_visit", subject_id=ticket.public_id)
        assert invitation.status == "rated" and invitation.level == 4
        assert Rating.objects.filter(invitation=invitation).exists()
        assert not violations
