"""What `make run` promises, in a browser (issue 16, "done when"): `yiwang demo` alone — no worker
started by hand — serves a new user from application to a sealed result and an e-licence in the
wallet whose verification link points at the port the platform runs on.

citizen applies (无犯罪记录证明开具, 居民身份证 taken from the licence store) → the 公安局 clerk
sends a one-time correction notice → the citizen uploads the missing paper → the clerk accepts → the
approver approves → the task worker (started by the supervisor) issues the licence and the sealed
result → the citizen downloads the result (pyHanko: signature intact, chained to the /pki/ root) →
the wallet shows the licence → its verification link is on the demo's port and says it is valid.

The demo runs on its own SQLite database in a temporary folder, so this runs once per ``make test``
(the SQLite pass), not again with ``DATABASE_URL``.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from yiwang.testing import dbtemplate

from .helpers import CHROMIUM, CHROMIUM_ARGS, new_context, screenshot

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Yiwang@2026"
ITEM = "无犯罪记录证明开具"
HANG_GUARD = 300.0  # seconds: a bound on a hang, not a performance figure

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="the demo uses its own SQLite database; runs in the SQLite pass",
    ),
]


@dataclass
class RunningDemo:
    base: str
    env: dict[str, str]
    cwd: Path
    lines: list[str] = field(default_factory=list)

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "yiwang.cli", *args],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,  # a guard against a hung command, not a speed check (migrate + demo on a busy box)
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def log(self) -> str:
        return "".join(self.lines[-60:])


def _free_port_pair() -> int:
    import socket

    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        with socket.socket() as second:
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair")


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local demo
            return int(response.status)
    except OSError:
        return 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDemo]:
    folder = tmp_path_factory.mktemp("make-run")
    port = _free_port_pair()
    env = {
        **os.environ,
        "YIWANG_PROFILE": "demo",
        "YIWANG_VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "PYTHONPATH": str(ROOT / "src"),
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }
    for name in (
        "YIWANG_PUBLIC_URL",
        "YIWANG_TASK_BACKEND",
        "MEDIA_ROOT",
        "STATIC_ROOT",
        "YIWANG_TEST_TODAY",
    ):
        env.pop(name, None)
    running = RunningDemo(base=f"http://127.0.0.1:{port}", env=env, cwd=folder)
    # The migrated schema is copied from the test template (yiwang.testing.dbtemplate: 50 s of CPU
    # less); `migrate` still runs, as `make run` runs it, and finds nothing to apply.
    dbtemplate.copy_for_demo(folder / "demo.sqlite3")
    running.cli("migrate", "--no-input", "-v", "0")
    process = subprocess.Popen(
        [sys.executable, "-m", "yiwang.cli", "demo"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    stream = process.stdout
    reader = threading.Thread(
        target=lambda: running.lines.extend(raw.decode("utf-8", "replace") for raw in stream), daemon=True
    )
    reader.start()
    started = time.monotonic()
    try:
        while _status(f"{running.base}/healthz") != 200:
            assert process.poll() is None, "yiwang demo exited:\n" + running.log()
            assert time.monotonic() - started < HANG_GUARD, "not up:\n" + running.log()
            time.sleep(0.5)
        yield running
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        reader.join(timeout=5)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _citizen_login(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("#id_username").fill("citizen")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _staff_login(page: Any, demo: RunningDemo, username: str) -> None:
    page.goto(f"{demo.base}/workbench/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/workbench/mfa/"))
    # The README's way to get the demo code (what `make totp USER=…` prints).
    code = re.search(r"\b(\d{6})\b", demo.cli("totp", username))
    assert code, "no TOTP code printed"
    page.locator("#id_token").fill(code.group(1))
    page.locator("#mfa-submit").click()
    page.wait_for_url(re.compile(r"/workbench/(\?.*)?$"))


def _pdf(tmp: Path) -> Path:
    path = tmp / "用途证明.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return path


def _wait_for(page: Any, url: str, selector: str, text: str, guard: float = 120.0) -> None:
    """Reload until the worker has done its part (the page shows ``text`` in ``selector``)."""
    started = time.monotonic()
    while True:
        page.goto(url)
        if text in (page.locator(selector).inner_text() if page.locator(selector).count() else ""):
            return
        assert time.monotonic() - started < guard, f"{text!r} never appeared at {url}"
        time.sleep(1)


def test_a_new_user_from_make_run_to_a_verified_licence(
    demo: RunningDemo, chromium: Any, tmp_path: Path
) -> None:
    base = demo.base
    citizen_ctx = new_context(chromium)
    citizen = citizen_ctx.new_page()
    _citizen_login(citizen, base)

    # --- apply ----------------------------------------------------------------------------------------
    citizen.goto(f"{base}/search/?q={ITEM}")
    citizen.locator("#search-results a", has_text=ITEM).first.click()
    citizen.wait_for_load_state()
    citizen.locator("main a[href*='/apply/']").first.click()
    citizen.wait_for_load_state()
    assert "无需上传" in citizen.locator("main").inner_text()  # 居民身份证 comes from the licence store
    citizen.locator("select[name=field_purpose]").select_option("就业")
    citizen.locator("#submit-application").click()
    citizen.wait_for_url(re.compile(r"/my/cases/[0-9a-f-]{36}/$"))
    case_url = citizen.url
    case_id = case_url.rstrip("/").rsplit("/", 1)[1]
    screenshot(citizen, "make-run-01-applied")

    # --- the clerk sends one correction notice ----------------------------------------------------------
    staff_ctx = new_context(chromium)
    clerk = staff_ctx.new_page()
    _staff_login(clerk, demo, "clerk_ps")
    clerk.goto(f"{base}/workbench/cases/{case_id}/")
    clerk.locator("#correction-form input[name=other_name]").fill("用途证明材料")
    clerk.locator("#correction-form input[name=other_reason]").fill("请补充使用单位出具的用途说明")
    clerk.locator("#correction-form button[type=submit]").click()
    clerk.wait_for_load_state()
    assert "补正" in clerk.locator(".messages").inner_text()

    # --- the citizen answers it ---------------------------------------------------------------------------
    citizen.goto(case_url)
    assert "补正材料一次性告知书" in citizen.locator("main").inner_text()
    citizen.locator("#correction-form input[type=file]").first.set_input_files(str(_pdf(tmp_path)))
    citizen.locator("#submit-correction").click()
    citizen.wait_for_url(case_url)
    assert "待受理" in citizen.locator("main").inner_text()

    # --- accept and approve -----------------------------------------------------------------------------
    clerk.goto(f"{base}/workbench/cases/{case_id}/")
    clerk.locator(f"form[action='/workbench/cases/{case_id}/accept/'] button[type=submit]").click()
    clerk.wait_for_load_state()
    approver_ctx = new_context(chromium)
    approver = approver_ctx.new_page()
    _staff_login(approver, demo, "approver_ps")
    approver.goto(f"{base}/workbench/cases/{case_id}/")
    approver.locator("#approve-button").click()
    approver.wait_for_load_state()
    screenshot(approver, "make-run-02-approved")

    # --- the sealed result, made by the supervised worker -----------------------------------------------
    _wait_for(citizen, case_url, "main", "已加盖电子印章")
    assert citizen.locator("#download-result").count() == 1
    with citizen.expect_download() as download:
        citizen.locator("#download-result").click()
    result = Path(download.value.path()).read_bytes()
    # pyHanko runs its own event loop: not in this thread, where Playwright's loop runs.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_check_sealed, result, base).result()

    # --- the licence in the wallet, verified on the right port --------------------------------------------
    _wait_for(citizen, f"{base}/licences/", "main", "无犯罪记录证明")
    citizen.locator("main a[href^='/licences/']", has_text="查看").first.click()
    citizen.wait_for_load_state()
    verify = citizen.get_by_role("link", name="查看核验页").get_attribute("href")
    assert verify and verify.startswith(f"{base}/"), verify
    citizen.goto(verify)
    assert "有效" in citizen.locator("main").inner_text()
    screenshot(citizen, "make-run-03-verified")
    for ctx in (citizen_ctx, staff_ctx, approver_ctx):
        ctx.close()

    # Nobody started a worker: the supervisor's worker ran the tasks.
    assert re.search(r"^worker\d*\s+\|.*state=SUCCESSFUL", "".join(demo.lines), re.MULTILINE)


def _check_sealed(pdf: bytes, base: str) -> None:
    """pyHanko: the result carries an intact signature whose chain ends at the root published at /pki/."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    with urllib.request.urlopen(f"{base}/pki/root.crt", timeout=10) as response:  # noqa: S310
        raw = response.read()
    root = x509.Certificate.load(pem.unarmor(raw)[2] if pem.detect(raw) else raw)
    reader = PdfFileReader(io.BytesIO(pdf))
    assert reader.embedded_signatures, "the result PDF is not signed"
    status = validate_pdf_signature(
        reader.embedded_signatures[0],
        ValidationContext(trust_roots=[root], allow_fetching=False, revocation_mode="soft-fail"),
    )
    assert status.intact and status.valid, status.pretty_print_details()
    assert status.trusted, status.pretty_print_details()
