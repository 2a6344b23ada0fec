"""Test support for the simulated payment gateway: the real process on a free port, a real receiver.

The gateway runs with real time in its own process; the test process may run on a moved clock
(``YIWANG_TEST_TODAY``), so requests are signed with the gateway's clock (offset from /healthz).
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from yiwang_demo_paygate.keys import load_or_create
from yiwang_demo_paygate.signing import canonical_json, get_payload, sign_headers, verify

MERCHANT = "YIWANG-TEST"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    body: dict[str, Any]
    headers: dict[str, str]
    signature_ok: bool
    at: float


@dataclass
class Receiver:
    """The merchant's notify_url: records every POST, checks its signature, answers as told."""

    gateway_public: str
    clock: Any
    received: list[Received] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)  # order_no -> answers to fail first
    always_fail: set[str] = field(default_factory=set)
    cond: threading.Condition = field(default_factory=threading.Condition)
    url: str = ""

    def serve(self) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                body = json.loads(raw)
                ok = verify(
                    receiver.gateway_public,
                    canonical_json(body),
                    dict(self.headers.items()),
                    now=receiver.clock(),
                )
                order_no = body.get("order_no", "")
                with receiver.cond:
                    receiver.received.append(
                        Received(body, dict(self.headers), ok is not None, time.monotonic())
                    )
                    fail = order_no in receiver.always_fail or receiver.failures.get(order_no, 0) > 0
                    if order_no in receiver.failures and receiver.failures[order_no] > 0:
                        receiver.failures[order_no] -= 1
                    receiver.cond.notify_all()
                answer = b'{"result":"busy"}' if fail else b'{"result":"ok"}'
                self.send_response(500 if fail else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{server.server_address[1]}/notify"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def for_order(self, order_no: str) -> list[Received]:
        with self.cond:
            return [r for r in self.received if r.body.get("order_no") == order_no]

    def wait(self, order_no: str, count: int, timeout: float = 8.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len([r for r in self.received if r.body.get("order_no") == order_no]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
        return self.for_order(order_no)


class Gateway:
    """A client of the running gateway that signs like the platform."""

    def __init__(self, base: str, keys: dict[str, dict[str, str]]) -> None:
        self.base = base
        self.keys = keys
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy from the environment for 127.0.0.1
        self.offset = 0.0
        self.offset = self.session.get(f"{base}/healthz", timeout=5).json()["time"] - time.time()

    def clock(self) -> float:
        """The gateway's time (the test process's clock may have been moved)."""
        return time.time() + self.offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock()).astimezone()

    def signed(self, payload: bytes, key: str | None = None) -> dict[str, str]:
        return sign_headers(key or self.keys["platform"]["private"], payload, now=self.clock())

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
        data = canonical_json(body)
        sent = headers if headers is not None else self.signed(data)
        return self.session.post(
            self.base + path, data=data, headers={"Content-Type": "application/json", **sent}, timeout=10
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> requests.Response:
        sent = headers if headers is not None else self.signed(get_payload(path))
        return self.session.get(self.base + path, headers=sent, timeout=10)

    def answer_ok(self, response: requests.Response, raw: bool = False) -> bool:
        """The answer carries a valid gateway signature (over canonical JSON, or the raw bytes)."""
        payload = response.content if raw else canonical_json(response.json())
        return verify(self.keys["gateway"]["public"], payload, response.headers, now=self.clock()) is not None

    def create_order(self, order_no: str, receiver: Receiver, amount_fen: int = 12_300, **extra: Any) -> dict:
        body = {
            "merchant_id": MERCHANT,
            "order_no": order_no,
            "amount_fen": amount_fen,
            "subject": "测试缴费项目",
            "notify_url": receiver.url,
            "return_url": "http://127.0.0.1:9/cases/1/pay/done",
            "expire_at": (self.now() + timedelta(minutes=30)).isoformat(),
            **extra,
        }
        response = self.post("/api/pay/orders", body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def behave(self, order_no: str, **behaviour: Any) -> None:
        response = self.session.post(
            f"{self.base}/api/sim/behaviour", json={"order_no": order_no, **behaviour}
        )
        assert response.status_code == 200, response.text

    def pay(self, trade_no: str, result: str = "success", page: str = "") -> requests.Response:
        """The payer opens the page and presses a button (CSRF token and cookie as a browser would)."""
        html = self.session.get(f"{self.base}/pay/{trade_no}{page}", timeout=10)
        assert html.status_code == 200, html.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html.text)
        channel = re.search(r'name="channel" value="([a-z0-9]+)"', html.text)
        assert token and channel, html.text
        return self.session.post(
            f"{self.base}/pay/{trade_no}",
            data={"csrfmiddlewaretoken": token.group(1), "channel": channel.group(1), "result": result},
            allow_redirects=False,
            timeout=10,
        )

    def wait_for(self, path: str, key: str, value: str, timeout: float = 8.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            answer = dict(self.get(path).json())
            if answer.get(key) == value or time.monotonic() > deadline:
                return answer
            time.sleep(0.1)

    def notifications(self, order_no: str) -> list[dict[str, Any]]:
        response = self.session.get(f"{self.base}/api/sim/notifications", params={"order_no": order_no})
        return list(response.json()["notifications"])


def start_gateway(tmp: Path, **env: str) -> Iterator[Gateway]:
    """The real process (migrate, key file, gunicorn) on a free port; stopped afterwards."""
    port = free_port()
    keys_file = tmp / "paygate-keys.json"
    environment = {
        **os.environ,
        "YIWANG_VAR_DIR": str(tmp),
        "PAYGATE_DB": str(tmp / "paygate.sqlite3"),
        "YIWANG_PAYGATE_KEYS_FILE": str(keys_file),
        "YIWANG_PAYGATE_MERCHANT_ID": MERCHANT,
        "PAYGATE_RETRY_SCHEDULE": "0.2,0.5,1",
        "PAYGATE_REFUND_DELAY_S": "0.2",
        "PAYGATE_POLL_S": "0.05",
        "PAYGATE_SIM_REORDER_HOLD_S": "3",
        **env,
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    log = (tmp / "paygate.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own gateway, fixed arguments
        [sys.executable, "-m", "yiwang_demo_paygate.serve", "--bind", f"127.0.0.1:{port}"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    probe = requests.Session()
    probe.trust_env = False
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if probe.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp / "paygate.log").read_text(errors="replace"))
            time.sleep(0.1)
        probe.close()
        gateway = Gateway(base, load_or_create(keys_file))
        yield gateway
        gateway.session.close()
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
