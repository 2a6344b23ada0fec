"""Pay a fee and follow the delivery to the end, in a browser, against the REAL side systems.

The simulated fiscal payment gateway (``yiwang_demo_paygate``) and the simulated carrier
(``yiwang_demo_carrier``) run as separate processes on free ports with fast timers; the platform runs
on pytest-django's live server.  A citizen applies for a fee-charging item with courier delivery, the
clerk accepts and the approver approves (services, to keep it short), the citizen opens the case page,
clicks 缴费, pays on the gateway's page (支付成功), comes back and sees 已缴费 once the signed
notification has arrived; the case completes, the courier order is placed, the carrier's signed
callbacks move the parcel to 签收, and the case page ends the delivery timeline with 已签收.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from yiwang.cases.models import Case, CaseDelivery, CaseStatus, DeliveryStatus
from yiwang.cases.services import accept_case, decide_case
from yiwang.logistics.models import CourierOrder, OrderStatus
from yiwang.testing.logistics import make_regions
from yiwang.testing.payments import make_world
from yiwang.testing.portal import PASSWORD, PDF_BYTES, seed_test_calendar

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDRESS = "安徽省合肥市蜀山区三里庵街道长江西路 100 号"
WAIT_MS = 45_000  # generous: a loaded 2-core machine runs three processes here


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until(check: Callable[[], Any], what: str, timeout: float = 45.0) -> Any:
    """Poll ``check`` (a database read) until it gives something true."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def paygate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """The gateway process (own database and key file, fast retries) and its key file."""
    from yiwang.testing.paygate import start_gateway

    tmp = tmp_path_factory.mktemp("paygate")
    for gateway in start_gateway(tmp):
        yield gateway, tmp / "paygate-keys.json"


@pytest.fixture(scope="module")
def carrier_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The simulated carrier (gunicorn, one worker, 0.2 s between parcel steps)."""
    tmp = tmp_path_factory.mktemp("carrier")
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yiwang_demo_carrier.settings",
        "CARRIER_DATABASE": str(tmp / "carrier.sqlite3"),
        "CARRIER_SIM_STEP_S": "0.2",
    }
    argv = [sys.executable, "-m", "gunicorn", "yiwang_demo_carrier.wsgi:application"]
    argv += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4", "--no-control-socket"]
    log_path = tmp / "carrier.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                with socket.socket() as sock:
                    if sock.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log_path.read_text(errors="replace"))
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_citizen_pays_the_fee_and_follows_the_delivery_to_the_end(
    browser: Any, live_server: Any, settings: Any, paygate: tuple[Any, Path], carrier_url: str, tmp_path: Path
) -> None:
    gateway, keys_file = paygate
    base = live_server.url
    settings.YIWANG_PUBLIC_URL = base  # notify_url, return_url and the carrier's callbacks
    settings.YIWANG_PAYGATE_URL = gateway.base
    settings.YIWANG_PAYGATE_KEYS_FILE = str(keys_file)
    settings.YIWANG_PAYGATE_MERCHANT_ID = "YIWANG-TEST"
    settings.LOGISTICS_CARRIER_URL = carrier_url
    settings.LOGISTICS_CALLBACK_BASE_URL = base

    seed_test_calendar()
    make_regions()
    world = make_world()  # a 市场监管局 item with a fixed fee of 50 yuan (登记费)
    upload = tmp_path / "材料.pdf"
    upload.write_bytes(PDF_BYTES)

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(WAIT_MS)
    page = ctx.new_page()
    try:
        # --- the citizen applies, with courier delivery ---------------------------------------------
        page.goto(f"{base}/login/?next=/items/{world.item.public_id}/apply/")
        page.locator("#id_username").fill(world.citizen.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"**/items/{world.item.public_id}/apply/")
        page.get_by_label("企业名称").fill("合肥徽创科技有限公司")
        for material in world.item.materials.filter(mandatory=True):
            page.set_input_files(f"#id_material_{material.public_id}", str(upload))
        page.get_by_role("radio", name="快递送达").check()
        page.locator("#id_delivery_address").fill(ADDRESS)
        page.locator("#submit-application").click()
        page.wait_for_url("**/my/cases/*/")
        case = Case.objects.get(number=page.locator("#case-number").inner_text().strip())

        # --- the clerk accepts, the approver approves: the case now waits for the fee -----------------
        case = decide_case(
            accept_case(case, actor=world.clerk), actor=world.approver, approve=True, comment="符合条件"
        )
        assert case.status == CaseStatus.ACCEPTED

        # --- 缴费 on the case page → the gateway's cashier → 支付成功 → back, 已缴费 --------------------
        page.reload()
        page.locator("#payment-due").get_by_role("link", name="缴费").click()
        page.wait_for_url(f"**/cases/{case.public_id}/pay/")
        expect(page.locator("#payment-total")).to_have_text("50.00")
        page.locator("#pay-online").click()
        page.wait_for_url(re.compile(re.escape(gateway.base) + r"/pay/PG\d{20}$"))
        page.locator("#pay-success").click()
        page.wait_for_url(f"{base}/cases/{case.public_id}/pay/")
        # The signed notification may come after the browser: the page polls (htmx) until it has.
        expect(page.locator("#pay-status")).to_contain_text("已缴费", timeout=WAIT_MS)

        # --- the case completes and the result goes by courier ---------------------------------------
        _wait_until(
            lambda: Case.objects.filter(pk=case.pk, status=CaseStatus.COMPLETED).exists(), "completion"
        )
        order = _wait_until(
            lambda: CourierOrder.objects.filter(reference_id=str(case.public_id)).first(), "courier order"
        )
        assert order.waybill_number.startswith("SIM")
        # The carrier picks up, carries and delivers (signed callbacks to the live server).
        _wait_until(
            lambda: CaseDelivery.objects.filter(case=case, status=DeliveryStatus.DELIVERED).exists(),
            "the delivery's 签收",
        )
        page.goto(f"{base}/my/cases/{case.public_id}/")
        expect(page.locator("#case-status")).to_contain_text("已办结")
        tracking = page.locator("#courier-tracking")
        expect(tracking.locator(".courier-waybill")).to_have_text(order.waybill_number)
        expect(tracking.locator(".courier-status")).to_have_text("已签收")
        steps = tracking.locator("ol.courier-timeline > li > strong")
        # Newest first: the timeline ends (top) with 签收, and it started with 揽收.
        expect(steps.first).to_have_text("已签收")
        expect(steps.last).to_have_text("已揽收")
        order.refresh_from_db()
        assert order.status == OrderStatus.DELIVERED
    finally:
        ctx.close()
