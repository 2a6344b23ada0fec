"""Helpers for the browser tests: contexts, login, screenshots and the axe-core check."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PROJECT_DIR = Path(__file__).resolve().parents[2]
AXE_JS = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
SCREENSHOT_DIR = Path(os.environ.get("YIWANG_E2E_SCREENSHOTS", "/tmp/yiwang-e2e"))


def new_context(browser: Any, *, mobile: bool = False) -> Any:
    ctx = browser.new_context(
        locale="zh-CN",
        viewport=MOBILE if mobile else DESKTOP,
        accept_downloads=True,
        is_mobile=mobile,
        has_touch=mobile,
        device_scale_factor=1,
    )
    ctx.set_default_timeout(15_000)
    return ctx


def page_as(browser: Any, live_server: Any, user: Any) -> Any:
    """A new page of a new context already logged in as ``user`` (staff: past the second factor)."""
    from django.test import Client

    from yiwang.testing.catalog import login_verified

    client = login_verified(Client(), user)
    context = new_context(browser)
    context.add_cookies(
        [{"name": n, "value": m.value, "url": live_server.url} for n, m in client.cookies.items()]
    )
    return context.new_page()


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Any, base_url: str, username: str, password: str, *, workbench: bool = False) -> None:
    device = None
    if workbench:  # staff: a TOTP device, and its current code after the password (MFA)
        from yiwang.accounts.models import User
        from yiwang.testing.mfa import totp_device

        device = totp_device(User.objects.get(username=username))
    page.goto(f"{base_url}{'/workbench/login/' if workbench else '/login/'}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if device is not None and "/workbench/mfa/" in page.url:
        from yiwang.testing.mfa import current_code

        page.locator("#id_token").fill(current_code(device))
        page.locator("#mfa-submit").click()
        page.wait_for_load_state()


def logout(page: Any) -> None:
    page.locator("header form[action$='/logout/'] button").click()
    page.wait_for_load_state()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page and return the serious and critical violations."""
    if not AXE_JS.exists():
        pytest.skip(f"axe-core is not installed at {AXE_JS} (run npm ci)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: a <script> tag with axe inline would be refused
        # by the page's Content-Security-Policy (script-src 'self').
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v.get("impact") in {"serious", "critical"}]


def assert_no_serious_axe_violations(page: Any, label: str) -> None:
    violations = axe_violations(page)
    if violations:
        summary = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [
                    {"target": n["target"], "summary": n.get("failureSummary", "")} for n in v["nodes"][:5]
                ],
            }
            for v in violations
        ]
        print(f"axe violations on {label}:\n" + json.dumps(summary, ensure_ascii=False, indent=2))
    assert not violations, (
        f"{label}: {len(violations)} serious/critical axe violations: {[v['id'] for v in violations]}"
    )


def watch_csp(page: Any) -> list[str]:
    """Collect the Content-Security-Policy violations on this page (a blocked inline script, handler,
    style or foreign origin); assert the list stays empty.  Chromium's own report of a violation is a
    log entry Playwright does not pass on, so an init script (injected by the browser, outside the
    policy) turns each ``securitypolicyviolation`` event into a console error."""
    violations: list[str] = []
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (e) {"
        " console.error('Content-Security-Policy violation: ' + e.effectiveDirective + ' blocked '"
        " + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber); });"
    )

    def on_console(message: Any) -> None:
        if "Content-Security-Policy" in message.text or "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", on_console)
    return violations
