"""Signed node calls to a peer's crossregion endpoints (``/api/v1/crossregion/node/…``), signed exactly
like the exchange's (docs/exchange.md "Signed requests between nodes")."""

from __future__ import annotations

import http.client
import time
from typing import Any

from yiwang.exchange.client import Answer, connection_for
from yiwang.exchange.identity import local_identity
from yiwang.exchange.signing import NODE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, request_message

API_PREFIX = "/api/v1/crossregion/node"
TIMEOUT = 20.0


def node_get(node: Any, path: str, *, timeout: float = TIMEOUT) -> Answer:
    """``GET base_url + /api/v1/crossregion/node + path`` signed as this node; ``OSError`` on network faults."""
    identity = local_identity()
    conn, full_path = connection_for(node.base_url.rstrip("/") + API_PREFIX + path, timeout)
    timestamp = str(int(time.time()))
    headers = {
        NODE_HEADER: identity.node_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: identity.sign(request_message("GET", full_path, timestamp, node.node_id, b"")),
        "Accept": "application/json",
    }
    try:
        conn.request("GET", full_path, headers=headers)
        response = conn.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    except http.client.HTTPException as exc:
        raise OSError(str(exc)) from exc
    finally:
        conn.close()
