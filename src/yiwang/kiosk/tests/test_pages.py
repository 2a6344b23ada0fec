"""The kiosk's pages: their own layout (no portal chrome), 长辈模式 on by default with a toggle,
every control a touch target of at least 48 px (64 px in 长辈模式), the idle countdown's settings,
the reader bridge allowed by the page's policy, and no page without a registered kiosk."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.test import Client

from .conftest import KioskSetup, id_of

CSS = Path(__file__).resolve().parents[1] / "static" / "kiosk" / "kiosk.css"
PAGES = [
    "/kiosk/",
    "/kiosk/login/card/",
    "/kiosk/login/qr/",
    "/kiosk/ticket/",
    "/kiosk/checkin/",
    "/kiosk/apply/?q=企业",
]
PERSON_PAGES = ["/kiosk/cases/", "/kiosk/print/"]


class Controls(HTMLParser):
    """Every interactive control of a page with its classes."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("a", "button") or (tag == "input" and values.get("type") not in ("hidden", "radio")):
            self.controls.append((tag, values))
        if tag == "label" and "kiosk-choice" in (values.get("class") or ""):
            self.controls.append((tag, values))


def _targets_ok(html: str) -> list[str]:
    parser = Controls()
    parser.feed(html)
    bad = []
    for tag, attrs in parser.controls:
        if "kiosk-skip" in (attrs.get("class") or ""):
            continue  # the skip link is for keyboards
        if "kiosk-target" not in (attrs.get("class") or "").split():
            bad.append(f"<{tag} {attrs}>")
    return bad


def test_css_sizes_touch_targets() -> None:
    css = CSS.read_text(encoding="utf-8")
    sizes = re.findall(r"--kiosk-target:\s*(\d+)px", css)
    assert sizes and min(int(size) for size in sizes) >= 48
    assert re.search(r"\.kiosk-target\s*\{[^}]*min-height:\s*var\(--kiosk-target\)", css)
    assert re.search(r"html\.kiosk-elderly\s*\{[^}]*--kiosk-target:\s*64px", css)


def test_every_page_renders_with_large_targets(world: Any, kiosk: KioskSetup) -> None:
    for path in PAGES:
        response = kiosk.client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert 'class="kiosk-elderly"' in html, path  # 长辈模式 by default
        assert "site-header" not in html and "mainnav" not in html, path  # not the portal chrome
        assert not _targets_ok(html), (path, _targets_ok(html))
        assert "style=" not in html and "<script>" not in html, path
        assert response["Cache-Control"] == "no-store"
    name, id_number = id_of(world.citizen)
    kiosk.post_card(kiosk.card(name=name, id_number=id_number))
    for path in [*PAGES, *PERSON_PAGES]:
        response = kiosk.client.get(path)
        assert response.status_code == 200, path
        assert not _targets_ok(response.content.decode()), path


def test_home_tiles_and_idle_settings(world: Any, kiosk: KioskSetup, settings: Any) -> None:
    settings.YIWANG_KIOSK_SCRIPT_IDLE_SECONDS = 90
    html = kiosk.client.get("/kiosk/").content.decode()
    for tile in ("刷身份证登录", "扫码登录", "取号", "预约签到", "办件查询", "打印证照与结果", "申请办理"):
        assert tile in html
    assert 'data-idle-seconds="90"' in html
    assert 'id="kiosk-idle"' in html and "kiosk/kiosk.js" in html


def test_elderly_mode_toggle(world: Any, kiosk: KioskSetup) -> None:
    response = kiosk.client.post("/kiosk/mode/", {"elderly": "0", "next": "/kiosk/ticket/"})
    assert response.status_code == 302 and response["Location"] == "/kiosk/ticket/"
    html = kiosk.client.get("/kiosk/ticket/").content.decode()
    assert 'class="kiosk-elderly"' not in html and "长辈模式：关" in html
    kiosk.client.post("/kiosk/mode/", {"elderly": "1", "next": "https://evil.example/"})
    assert 'class="kiosk-elderly"' in kiosk.client.get("/kiosk/").content.decode()


def test_no_kiosk_no_page(world: Any) -> None:
    for path in [*PAGES, *PERSON_PAGES, "/kiosk/login/qr/status/"]:
        response = Client().get(path)
        assert response.status_code == 403, path
    citizen = Client()
    citizen.force_login(world.citizen)
    assert citizen.get("/kiosk/cases/").status_code == 403
