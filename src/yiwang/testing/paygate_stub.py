"""A tiny fiscal gateway for the tests: a real HTTP server in a thread that speaks protocol v1
(signed requests checked, signed answers), keeps its orders and refunds in memory, and can be told
to misbehave (answer late, refuse, fail)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from yiwang.payments.gateways import signing


@dataclass
class StubState:
    gateway_private: str
    platform_public: str
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    statements: dict[str, bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)
    down: bool = False  # answer 500 to everything
    refund_result: str = "refunding"  # what POST /refunds answers (refunding or refunded)
    base_url: str = ""

    def pay(self, order_no: str, channel: str = "pc") -> None:
        self.orders[order_no].update(status="paid", paid_at="2026-09-21T10:05:00+08:00", channel=channel)


class Handler(BaseHTTPRequestHandler):
    state: StubState

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _answer(
        self, status: int, body: Any, raw: bytes | None = None, content_type: str = "application/json"
    ) -> None:
        data = raw if raw is not None else signing.canonical_json(body)
        headers = signing.sign_headers(self.state.gateway_private, data)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _verified(self, payload: bytes) -> bool:
        nonce = signing.verify(self.state.platform_public, payload, dict(self.headers.items()))
        if nonce is None or nonce in self.state.nonces:
            self._answer(401, {"code": "bad_signature"})
            return False
        self.state.nonces.add(nonce)
        return True

    def do_GET(self) -> None:
        self.state.requests.append(("GET", self.path))
        if self.state.down:
            self._answer(500, {"code": "down"})
            return
        if not self._verified(signing.get_payload(self.path)):
            return
        parts = self.path.strip("/").split("/")
        if parts[:3] == ["api", "pay", "orders"] and len(parts) == 4:
            order = self.state.orders.get(parts[3])
            self._answer(200, order) if order else self._answer(404, {"code": "not_found"})
        elif parts[:3] == ["api", "pay", "refunds"] and len(parts) == 4:
            refund = self.state.refunds.get(parts[3])
            self._answer(200, refund) if refund else self._answer(404, {"code": "not_found"})
        elif parts[:3] == ["api", "pay", "statements"] and len(parts) == 4:
            self._answer(200, None, raw=self.state.statements.get(parts[3], b""), content_type="text/csv")
        else:
            self._answer(404, {"code": "not_found"})

    def do_POST(self) -> None:
        self.state.requests.append(("POST", self.path))
        if self.state.down:
            self._answer(500, {"code": "down"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        body = json.loads(raw or b"{}")
        if not self._verified(signing.canonical_json(body)):
            return
        parts = self.path.strip("/").split("/")
        if parts == ["api", "pay", "orders"]:
            existing = self.state.orders.get(body["order_no"])
            if existing and existing["amount_fen"] != body["amount_fen"]:
                self._answer(409, {"code": "order_conflict"})
                return
            if existing is None:
                trade_no = "GT" + uuid.uuid4().hex[:12]
                existing = {
                    "order_no": body["order_no"],
                    "gateway_trade_no": trade_no,
                    "status": "paying",
                    "amount_fen": body["amount_fen"],
                    "paid_at": None,
                    "channel": "",
                    "refunded": 0,
                }
                self.state.orders[body["order_no"]] = existing
                status = 201
            else:
                status = 200
            self._answer(
                status,
                {
                    "order_no": existing["order_no"],
                    "gateway_trade_no": existing["gateway_trade_no"],
                    "pay_url": f"{self.state.base_url}/pay/{existing['gateway_trade_no']}",
                    "qr_text": f"{self.state.base_url}/pay/{existing['gateway_trade_no']}/h5",
                    "status": "paying",
                },
            )
        elif parts[:3] == ["api", "pay", "orders"] and len(parts) == 5 and parts[4] == "close":
            order = self.state.orders.get(parts[3])
            if order is None:
                self._answer(404, {"code": "not_found"})
            elif order["status"] == "paid":
                self._answer(409, {"code": "order_paid"})
            else:
                order["status"] = "closed"
                self._answer(200, {"status": "closed"})
        elif parts == ["api", "pay", "refunds"]:
            order = self.state.orders.get(body["order_no"])
            if body["refund_no"] in self.state.refunds:
                refund = self.state.refunds[body["refund_no"]]
                self._answer(200, {"refund_no": refund["refund_no"], "status": refund["status"]})
                return
            if order is None or order["status"] != "paid":
                self._answer(409, {"code": "not_paid"})
                return
            if body["amount_fen"] > order["amount_fen"] - order["refunded"]:
                self._answer(409, {"code": "refund_exceeds"})
                return
            order["refunded"] += body["amount_fen"]
            refund = {
                "refund_no": body["refund_no"],
                "order_no": body["order_no"],
                "status": self.state.refund_result,
                "amount_fen": body["amount_fen"],
            }
            self.state.refunds[body["refund_no"]] = refund
            self._answer(201, {"refund_no": refund["refund_no"], "status": refund["status"]})
        else:
            self._answer(404, {"code": "not_found"})


@contextmanager
def running_stub(gateway_private: str, platform_public: str) -> Iterator[StubState]:
    state = StubState(gateway_private=gateway_private, platform_public=platform_public)
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
