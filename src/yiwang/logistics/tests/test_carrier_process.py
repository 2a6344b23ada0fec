"""The REAL simulated carrier: a separate gunicorn process (own SQLite file, 0.2 s steps) that the
platform orders from over HTTP and that calls the platform back (pytest-django's live_server) with
signed callbacks until the parcel is delivered, delivered after one failure, or returned; an
address outside its service area is refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from yiwang.core.errors import DomainError
from yiwang.logistics.carriers import SimulatedCarrier
from yiwang.logistics.models import CourierOrder, OrderStatus
from yiwang.testing.logistics import COUNTY_WITHOUT_TOWNSHIPS, applicant_party, make_order

pytestmark = pytest.mark.django_db(transaction=True)

STEP_S = "0.2"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def carrier_url(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yiwang_demo_carrier.settings",
        "CARRIER_DATABASE": str(tmp_path / "carrier.sqlite3"),
        "CARRIER_SIM_STEP_S": STEP_S,
        "CARRIER_UNSERVED": f"71,81,82,{COUNTY_WITHOUT_TOWNSHIPS}",
    }
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "yiwang_demo_carrier.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    argv += ["--workers", "1", "--threads", "4", "--no-control-socket"]
    log = (tmp_path / "carrier.log").open("wb")
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert process.poll() is None, (tmp_path / "carrier.log").read_text()
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _wait_for(order: CourierOrder, statuses: set[str], timeout: float = 60) -> CourierOrder:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order.refresh_from_db()
        if order.status in statuses:
            return order
        time.sleep(0.2)
    raise AssertionError(
        f"order stayed {order.status}: {list(order.events.values_list('status', flat=True))}"
    )


def test_orders_follow_the_real_carrier_to_the_end(
    carrier_url, live_server, settings, regions, department, clerk, citizen
):
    settings.LOGISTICS_CARRIER_URL = carrier_url
    settings.LOGISTICS_CALLBACK_BASE_URL = live_server.url

    delivered = make_order(department, owner=citizen, actor=clerk)
    failed_once = make_order(department, owner=citizen, actor=clerk)
    returned = make_order(department, owner=citizen, actor=clerk)
    assert delivered.status == OrderStatus.SUBMITTED and delivered.waybill_number.startswith("SIM")
    carrier = SimulatedCarrier()
    carrier.set_behaviour(failed_once.waybill_number, "failed_once")
    carrier.set_behaviour(returned.waybill_number, "returned")

    _wait_for(delivered, {OrderStatus.DELIVERED})
    assert list(delivered.events.values_list("status", flat=True)) == [
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    assert delivered.signed_by == "张伟" and delivered.delivered_at is not None
    _wait_for(failed_once, {OrderStatus.DELIVERED})
    assert failed_once.attempts == 1
    _wait_for(returned, {OrderStatus.RETURNED_TO_SENDER})
    assert "failed_delivery" in returned.events.values_list("status", flat=True)

    # Polling asks the same carrier: nothing new, nothing lost.
    assert len(carrier.query_tracking(delivered.waybill_number)) == 4

    with pytest.raises(DomainError) as refused:
        make_order(department, actor=clerk, recipient=applicant_party(region_code=COUNTY_WITHOUT_TOWNSHIPS))
    assert refused.value.code == "logistics_carrier_refused" and "服务范围" in refused.value.message
