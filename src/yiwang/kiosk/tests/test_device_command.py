"""kiosk_device: registers a kiosk, prints its URL and the reader secret (stored encrypted); the URL
binds a browser; a revoked or unknown kiosk is refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from yiwang.kiosk.models import KioskDevice
from yiwang.kiosk.services.devices import reader_secret


def test_command_creates_a_device_and_prints_url_and_secret(world: Any) -> None:
    out = io.StringIO()
    call_command(
        "kiosk_device", "hefei", "一楼自助终端 2 号", "--base-url", "https://gov.example", stdout=out
    )
    lines = dict(line.split(": ", 1) for line in out.getvalue().strip().splitlines())
    device = KioskDevice.objects.get(name="一楼自助终端 2 号")
    assert device.hall == world.hall
    assert lines["device"] == str(device.public_id)
    assert lines["kiosk URL"].startswith("https://gov.example/kiosk/?device=")
    secret = lines["reader secret"]
    assert len(secret) >= 40
    assert secret not in device.secret_encrypted  # encrypted at rest
    assert reader_secret(device) == secret

    client = Client()
    token = lines["kiosk URL"].split("device=", 1)[1]
    bound = client.get(f"/kiosk/?device={token}")
    assert bound.status_code == 302
    assert client.get("/kiosk/").status_code == 200

    call_command("kiosk_device", "hefei", "一楼自助终端 2 号", "--revoke", stdout=io.StringIO())
    assert client.get("/kiosk/").status_code == 403


def test_unknown_hall_duplicate_name_and_forged_token_are_refused(world: Any) -> None:
    with pytest.raises(CommandError):
        call_command("kiosk_device", "nowhere", "x", stdout=io.StringIO())
    call_command("kiosk_device", "hefei", "A", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("kiosk_device", "hefei", "A", stdout=io.StringIO())
    client = Client()
    assert client.get("/kiosk/?device=forged").status_code == 403
    client.cookies["kiosk_device"] = "forged"
    response = client.get("/kiosk/")
    assert response.status_code == 403
    assert "终端未登记".encode() in response.content
