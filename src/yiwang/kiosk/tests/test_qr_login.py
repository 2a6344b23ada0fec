"""扫码登录: the kiosk shows a one-time QR code; the citizen confirms on his phone; the kiosk's poll
logs him in once; a code expires after two minutes and is single-use; staff cannot confirm."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from yiwang.kiosk.models import KioskLoginRequest
from yiwang.testing.mfa import staff_login

from .conftest import KioskSetup


def _show_code(kiosk: KioskSetup) -> str:
    page = kiosk.client.get("/kiosk/login/qr/")
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    request = KioskLoginRequest.objects.get(public_id=kiosk.client.session["kiosk_qr"])
    assert request.device == kiosk.device
    # The token is only in the QR code; the test makes its own request to learn one.
    from yiwang.kiosk.services import create_request

    login_request, token = create_request(kiosk.device)
    session = kiosk.client.session
    session["kiosk_qr"] = str(login_request.public_id)
    session.save()
    return token


def test_confirm_logs_the_kiosk_in_once(world: Any, kiosk: KioskSetup) -> None:
    token = _show_code(kiosk)
    waiting = kiosk.client.get("/kiosk/login/qr/status/", HTTP_HX_REQUEST="true")
    assert "等待手机确认" in waiting.content.decode()

    phone = Client()
    phone.force_login(world.citizen)
    confirm_page = phone.get(f"/kiosk/qr/{token}/confirm/")
    assert confirm_page.status_code == 200
    assert kiosk.device.name in confirm_page.content.decode()
    assert phone.post(f"/kiosk/qr/{token}/confirm/").status_code == 200
    assert phone.post(f"/kiosk/qr/{token}/confirm/").status_code == 404  # used

    done = kiosk.client.get("/kiosk/login/qr/status/", HTTP_HX_REQUEST="true")
    assert done.status_code == 204
    assert done["HX-Redirect"] == "/kiosk/"
    assert kiosk.client.session["_auth_user_id"] == str(world.citizen.pk)
    assert kiosk.client.session["kiosk"]["via"] == "qr"
    # single use: a second poll (e.g. from another browser holding the id) gets nothing
    other = Client()
    other.cookies["kiosk_device"] = kiosk.token
    other.get("/kiosk/")
    session = other.session
    session["kiosk_qr"] = kiosk.client.session.get("kiosk_qr", "")
    session.save()
    again = other.get("/kiosk/login/qr/status/", HTTP_HX_REQUEST="true")
    assert "_auth_user_id" not in other.session
    assert again.status_code == 200


def test_code_expires_after_two_minutes(world: Any, kiosk: KioskSetup, frozen: Any) -> None:
    token = _show_code(kiosk)
    frozen.shift(121)
    phone = Client()
    phone.force_login(world.citizen)
    assert phone.get(f"/kiosk/qr/{token}/confirm/").status_code == 404
    assert phone.post(f"/kiosk/qr/{token}/confirm/").status_code == 404
    status = kiosk.client.get("/kiosk/login/qr/status/", HTTP_HX_REQUEST="true")
    assert "二维码已失效" in status.content.decode()


def test_confirmed_but_not_polled_in_time_expires(world: Any, kiosk: KioskSetup, frozen: Any) -> None:
    token = _show_code(kiosk)
    phone = Client()
    phone.force_login(world.citizen)
    assert phone.post(f"/kiosk/qr/{token}/confirm/").status_code == 200
    frozen.shift(121)
    kiosk.client.get("/kiosk/login/qr/status/", HTTP_HX_REQUEST="true")
    assert "_auth_user_id" not in kiosk.client.session


def test_only_logged_in_applicants_confirm(world: Any, kiosk: KioskSetup) -> None:
    token = _show_code(kiosk)
    anon = Client().get(f"/kiosk/qr/{token}/confirm/")
    assert anon.status_code == 302 and anon["Location"].startswith("/login/")
    staff = Client()
    staff_login(staff, world.clerk)
    assert staff.post(f"/kiosk/qr/{token}/confirm/").status_code == 302  # to the workbench
    assert KioskLoginRequest.objects.filter(confirmed_at__isnull=False).count() == 0
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token)
