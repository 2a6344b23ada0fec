"""Test helpers of exchange: node identities, peer rows, packages built by hand, a webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from yiwang.exchange.models import WebhookEndpoint
from yiwang.exchange.services import create_endpoint

# shared with other apps' tests (yiwang.testing.exchange); the exchange tests use them from here
from yiwang.testing.exchange import announce, identity, node_row, raw_package  # noqa: F401

SECRET = "s3cret-webhook-key-0123456789"


def endpoint(url: str, owner: str = "sharing.subscription:test") -> WebhookEndpoint:
    return create_endpoint(owner=owner, url=url, secret=SECRET)


@dataclass
class Receiver:
    """A webhook receiver: answers ``statuses`` in turn (then ``default``) and records every request."""

    statuses: list[int] = field(default_factory=list)
    default: int = 200
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.requests.append((headers, body))
            return self.statuses.pop(0) if self.statuses else self.default

    @property
    def event_ids(self) -> list[str]:
        return [headers.get("X-Yiwang-Event-Id", "") for headers, _ in self.requests]


@contextmanager
def webhook_receiver(receiver: Receiver | None = None) -> Iterator[Receiver]:
    receiver = receiver or Receiver()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = receiver.answer(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
