"""The console's person panel (masked; 查看完整信息 logged), the rating-device key command and the
statistics page's chart."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from yiwang.core.models import AuditEvent, PersonalDataAccess
from yiwang.core.public_url import public_url
from yiwang.hall.services import queue
from yiwang.hall.services.windows import device_key_valid
from yiwang.hall.tests.queue_helpers import book, sign_in, take
from yiwang.testing.hall import NOW
from yiwang.testing.mfa import staff_login


def test_person_masked_on_the_panel_full_view_logged(world: Any, client: Client) -> None:
    appointment = book(world, NOW.replace(hour=9), applicant=world.citizen)
    take(world, world.category_market, appointment=appointment, applicant=world.citizen)
    sign_in(world.window_general, world.general_clerk)
    queue.call_next(window=world.window_general, clerk=world.general_clerk)
    staff_login(client, world.general_clerk)
    panel = client.get("/workbench/hall/", headers={"HX-Request": "true"}).content.decode()
    assert "340104199001011234" not in panel and "13800000001" not in panel and "查看完整信息" in panel
    assert not PersonalDataAccess.objects.filter(unmasked=True).exists()
    full = client.post("/workbench/hall/person/")
    assert full.status_code == 200 and "340104199001011234" in full.content.decode()
    access = PersonalDataAccess.objects.get(unmasked=True)
    assert access.subject == world.citizen and access.actor == world.general_clerk
    assert access.object_type == "hall.Appointment"
    assert client.get("/workbench/hall/person/").status_code == 405


def test_person_without_an_account_is_audited(world: Any, client: Client) -> None:
    take(world, id_number="11010519491231002X", phone="13900000002")
    sign_in(world.window_market, world.clerk)
    queue.call_next(window=world.window_market, clerk=world.clerk)
    staff_login(client, world.clerk)
    full = client.post("/workbench/hall/person/").content.decode()
    assert "11010519491231002X" in full and "13900000002" in full
    assert AuditEvent.objects.filter(action="hall.ticket.personal_read", actor=world.clerk).exists()


def test_device_key_command_prints_the_device_address(world: Any) -> None:
    out = io.StringIO()
    call_command("hall_device_key", "hefei", "02", stdout=out)
    url = out.getvalue().strip().splitlines()[-1]
    assert url.startswith(public_url(f"/hall/rate/{world.window_market.public_id}/?key="))
    key = parse_qs(urlparse(url).query)["key"][0]
    world.window_market.refresh_from_db()
    assert device_key_valid(world.window_market, key)
    with pytest.raises(CommandError):
        call_command("hall_device_key", "hefei", "99", stdout=io.StringIO())


def test_stats_page_has_the_wait_chart_and_the_table(world: Any, client: Client, frozen: Any) -> None:
    take(world)
    take(world, world.category_police)
    frozen.move_to(NOW + timedelta(minutes=30))
    sign_in(world.window_market, world.clerk)
    queue.call_next(window=world.window_market, clerk=world.clerk)
    staff_login(client, world.manager)
    page = client.get("/workbench/hall/stats/?days=7").content.decode()
    assert 'id="chart-wait"' in page and 'id="hall-wait-chart"' in page and "console-stats.js" in page
    assert "echarts" in page and "<table" in page and "30.0" in page
    assert '"wait": 30.0' in page
