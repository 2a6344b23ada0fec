"""SSO end to end: a citizen logs into the demo department system through the platform.

The demo department system (``yiwang_demo_dept``, a separate Django project with an Authlib OIDC
client) runs as its own gunicorn process, as ``yiwang demo`` starts it; the platform is the live
server.  Browser: department page → platform login → back, logged in, with name and level.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from yiwang.accounts.models import AssuranceLevel
from yiwang.accounts.oidc import register_client
from yiwang.testing import accounts as factories

from .helpers import assert_no_serious_axe_violations, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLIENT_ID = "e2e-dept"
CLIENT_SECRET = "e2e-dept-secret-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dept_app(live_server: Any, tmp_path: Any) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yiwang_demo_dept.settings",
        "DEPT_SSO_BASE_URL": live_server.url,
        "DEPT_SSO_CLIENT_ID": CLIENT_ID,
        "DEPT_SSO_CLIENT_SECRET": CLIENT_SECRET,
        "DEPT_DATABASE": str(tmp_path / "dept.sqlite3"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "yiwang_demo_dept.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:  # pragma: no cover - start-up failure
        process.kill()
        pytest.fail("the demo department system did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_citizen_logs_into_the_department_system_through_sso(
    live_server: Any, dept_app: str, page: Any
) -> None:
    factories.citizen("citizen", level=AssuranceLevel.INTERMEDIATE)
    register_client(
        name="演示部门业务系统",
        redirect_uris=[f"{dept_app}/callback"],
        post_logout_redirect_uris=[f"{dept_app}/"],
        trusted=True,
        allowed_scopes="openid profile assurance company",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    page.goto(dept_app + "/")
    page.locator("#sso-login").click()
    page.wait_for_url(f"{live_server.url}/login/**")
    page.locator("#id_username").fill("citizen")
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(dept_app + "/")
    assert page.locator("#welcome").inner_text() == "欢迎，张伟"
    assert page.locator("#level").inner_text() == "中级实名"
    screenshot(page, "sso-dept-welcome")
    assert_no_serious_axe_violations(page, "demo department system")
    # RP-initiated logout ends the platform session as well.
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(dept_app + "/")
    assert page.locator("#sso-login").is_visible()
    page.goto(f"{live_server.url}/my/security/")
    assert "/login/" in page.url
