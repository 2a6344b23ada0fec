"""Test helpers of exchange: node identities, peer rows, packages built by hand, a webhook receiver."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from yiwang.exchange.identity import NodeIdentity, generate_identity
from yiwang.exchange.models import ExchangeNode, WebhookEndpoint
from yiwang.exchange.package import build_archive, build_manifest
from yiwang.exchange.services import create_endpoint, register_node
from yiwang.exchange.signing import canonical_json

SECRET = "s3cret-webhook-key-0123456789"


@cache
def identity(node_id: str) -> NodeIdentity:
    """One key pair per node id for the whole run (SM2 key generation is slow in pure Python)."""
    return generate_identity(node_id)


def node_row(ident: NodeIdentity, base_url: str = "http://127.0.0.1:9", **kwargs: Any) -> ExchangeNode:
    return register_node(
        node_id=ident.node_id,
        name=f"节点 {ident.node_id}",
        base_url=base_url,
        sm2_public_key=ident.sm2_public_key,
        **kwargs,
    )


def raw_package(
    sender: NodeIdentity,
    receiver: str,
    *,
    package_id: str,
    kind: str = "test.feed",
    sequence: int = 1,
    entries: Mapping[str, bytes] | None = None,
    sign_with: NodeIdentity | None = None,
    manifest_changes: Mapping[str, Any] | None = None,
    drop_entry: str = "",
    swap: Mapping[str, bytes] | None = None,
) -> bytes:
    """An archive built by hand, optionally wrong in one way (for the tampering tests)."""
    entries = dict(entries or {"rows.json": b'[{"id": 1}]'})
    manifest = build_manifest(
        package_id=package_id,
        sender=sender.node_id,
        receiver=receiver,
        kind=kind,
        sequence=sequence,
        created_at="2026-12-07T10:00:00+08:00",
        entries=entries,
    )
    manifest.update(manifest_changes or {})
    signature = (sign_with or sender).sign(canonical_json(manifest))
    if drop_entry:
        entries.pop(drop_entry)
    entries.update(swap or {})  # content changed after signing
    return build_archive(manifest, signature, entries)


def announce(package_id: str, data: bytes, *, kind: str = "test.feed", sequence: int = 1) -> bytes:
    return json.dumps(
        {
            "package_id": package_id,
            "kind": kind,
            "sequence": sequence,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    ).encode()


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
