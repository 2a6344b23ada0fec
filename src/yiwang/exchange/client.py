"""The HTTP side of a node calling another: signed requests over ``http.client`` (keep-alive per thread)."""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from yiwang.exchange.identity import NodeIdentity
from yiwang.exchange.signing import NODE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, request_message

API_PREFIX = "/api/v1/exchange"
DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @property
    def error(self) -> str:
        data = self.json()
        if isinstance(data, dict) and "code" in data:
            return f"{self.status} {data['code']}: {data.get('message', '')}"[:500]
        return f"HTTP {self.status}"


def connection_for(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url}")
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return cls(parts.hostname, parts.port, timeout=timeout), path


def signed_request(
    identity: NodeIdentity,
    node: Any,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Answer:
    """``method`` ``base_url + /api/v1/exchange + path`` signed as ``identity`` for ``node``.
    Network failures raise ``OSError`` (``http.client.HTTPException`` is re-raised as one)."""
    conn, base_path = connection_for(node.base_url.rstrip("/") + API_PREFIX + path, timeout)
    timestamp = str(int(time.time()))
    all_headers = {
        NODE_HEADER: identity.node_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: identity.sign(request_message(method, base_path, timestamp, node.node_id, body)),
        "Accept": "application/json",
        "Content-Type": "application/octet-stream",
        **(headers or {}),
    }
    if getattr(node, "outbound_token", ""):
        all_headers["X-Yiwang-Node-Token"] = node.outbound_token
    try:
        conn.request(method, base_path, body=body or None, headers=all_headers)
        response = conn.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    except http.client.HTTPException as exc:
        raise OSError(str(exc)) from exc
    finally:
        conn.close()
