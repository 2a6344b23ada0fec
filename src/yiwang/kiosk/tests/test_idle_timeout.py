"""The server-side idle guard: a kiosk session nobody touched for the idle limit is logged out and
cleared on the next request, even when the page's script never ran; the session's own expiry is
the same limit; /kiosk/logout/ clears the session."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.utils import timezone

from .conftest import KioskSetup, id_of


def _log_in(world: Any, kiosk: KioskSetup) -> None:
    name, id_number = id_of(world.citizen)
    assert kiosk.post_card(kiosk.card(name=name, id_number=id_number)).status_code == 200


def test_idle_session_is_cleared_server_side(
    world: Any, kiosk: KioskSetup, frozen: Any, settings: Any
) -> None:
    settings.YIWANG_KIOSK_IDLE_SECONDS = 120
    _log_in(world, kiosk)
    assert kiosk.client.session.get_expiry_age() == 120
    frozen.shift(100)
    assert kiosk.client.get("/kiosk/cases/").status_code == 200  # activity renews the mark
    frozen.shift(100)
    assert kiosk.client.get("/kiosk/cases/").status_code == 200
    frozen.shift(121)
    expired = kiosk.client.get("/kiosk/cases/")
    assert expired.status_code == 302
    assert expired["Location"] == "/kiosk/?expired=1"
    assert "_auth_user_id" not in kiosk.client.session
    assert "kiosk" not in kiosk.client.session
    home = kiosk.client.get("/kiosk/?expired=1").content.decode()
    assert "已为您安全退出" in home


def test_idle_htmx_poll_is_redirected(world: Any, kiosk: KioskSetup, frozen: Any, settings: Any) -> None:
    settings.YIWANG_KIOSK_IDLE_SECONDS = 60
    _log_in(world, kiosk)
    frozen.shift(61)
    response = kiosk.client.get("/kiosk/login/qr/status/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/kiosk/?expired=1"


def test_expiry_also_ends_the_session_for_other_pages(
    world: Any, kiosk: KioskSetup, frozen: Any, settings: Any
) -> None:
    settings.YIWANG_KIOSK_IDLE_SECONDS = 60
    _log_in(world, kiosk)
    key = kiosk.client.session.session_key
    assert kiosk.client.get("/my/cases/").status_code == 200
    frozen.shift(61)
    # The platform's other pages use the session's expiry (the same limit).
    response = kiosk.client.get("/my/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert Session.objects.get(session_key=key).expire_date <= timezone.now()


def test_logout_clears_the_session(world: Any, kiosk: KioskSetup) -> None:
    _log_in(world, kiosk)
    response = kiosk.client.post("/kiosk/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in kiosk.client.session
    assert "kiosk_card" not in kiosk.client.session
    assert kiosk.client.get("/kiosk/").status_code == 200  # the device stays bound


def test_a_portal_session_is_not_shown_at_the_kiosk(world: Any, kiosk: KioskSetup) -> None:
    kiosk.client.force_login(world.citizen)
    assert kiosk.client.get("/kiosk/cases/")["Location"] == "/kiosk/?login=1"
    assert "_auth_user_id" not in kiosk.client.session
