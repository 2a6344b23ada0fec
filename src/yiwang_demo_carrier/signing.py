"""The carrier's open-platform signature (the platform implements the same scheme on its side):
HMAC-SHA256 over ``<timestamp>\\n<METHOD>\\n<path>\\n<hex sha256 of body>``, headers ``X-Carrier-Key``,
``X-Carrier-Timestamp``, ``X-Carrier-Signature: hmac-sha256=<hex>``; a 300 s window."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

WINDOW_S = 300


def signature(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    text = f"{timestamp}\n{method.upper()}\n{path}\n{hashlib.sha256(body).hexdigest()}".encode()
    return "hmac-sha256=" + hmac.new(secret.encode(), text, hashlib.sha256).hexdigest()


def headers_for(key: str, secret: str, method: str, path: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        "X-Carrier-Key": key,
        "X-Carrier-Timestamp": timestamp,
        "X-Carrier-Signature": signature(secret, timestamp, method, path, body),
    }


def verify(
    accounts: Mapping[str, str], headers: Mapping[str, str], method: str, path: str, body: bytes
) -> str:
    """The account key when the request is signed by it and fresh, else ``""``."""
    key = headers.get("X-Carrier-Key", "")
    secret = accounts.get(key)
    timestamp = headers.get("X-Carrier-Timestamp", "")
    if not secret or not timestamp.isdigit() or len(timestamp) > 12:
        return ""
    if abs(time.time() - int(timestamp)) > WINDOW_S:
        return ""
    expected = signature(secret, timestamp, method, path, body)
    return key if hmac.compare_digest(expected, headers.get("X-Carrier-Signature", "")) else ""
