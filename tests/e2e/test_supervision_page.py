"""电子监察 in a browser: the scan raises a red warning on an overdue case, the handler finds it on the
supervision page, opens it and signs for it; the supervisor sees it signed in the region's list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine

from yiwang.supervision.models import SupervisionWarning
from yiwang.supervision.scan import run_scan
from yiwang.supervision.services import install_defaults
from yiwang.testing.portal import seed_test_calendar
from yiwang.testing.supervision import NOW, make_case, make_world

from .helpers import page_as, watch_csp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_handler_signs_for_a_warning_and_the_supervisor_sees_it(browser: Any, live_server: Any) -> None:
    with time_machine.travel(NOW, tick=True):
        seed_test_calendar()
        world = make_world()
        install_defaults()
        case = make_case(
            world.item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 18)
        )
        run_scan()
        warning = SupervisionWarning.objects.get(case=case)
        assert warning.level == "red"

        page = page_as(browser, live_server, world.handler)
        violations = watch_csp(page)
        page.goto(f"{live_server.url}/workbench/supervision/")
        page.get_by_role("link", name=case.number).click()
        page.wait_for_url(f"**/workbench/supervision/warnings/{warning.public_id}/")
        page.get_by_role("button", name="签收").click()
        page.wait_for_load_state()
        warning.refresh_from_db()
        assert warning.status == "acknowledged"
        assert not violations

        supervisor = page_as(browser, live_server, world.supervisor)
        supervisor.goto(f"{live_server.url}/workbench/supervision/?level=red")
        row = supervisor.locator("tr", has_text=case.number)
        assert row.count() == 1 and warning.get_status_display() in row.inner_text()
