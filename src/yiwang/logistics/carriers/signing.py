"""The signing scheme between the platform and the simulated carrier (docs/logistics.md "Protocol").

Both directions use the same HMAC-SHA256 over
``<timestamp>\\n<METHOD>\\n<path>\\n<hex sha256 of the body>`` with the account's shared secret.
Headers: ``X-Carrier-Key`` (the account), ``X-Carrier-Timestamp`` (Unix seconds),
``X-Carrier-Signature`` (``hmac-sha256=<hex>``); a callback also sends ``X-Carrier-Event-Id``.
A receiver refuses a timestamp more than the window (300 s) from its clock.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

KEY_HEADER = "X-Carrier-Key"
TIMESTAMP_HEADER = "X-Carrier-Timestamp"
SIGNATURE_HEADER = "X-Carrier-Signature"
EVENT_HEADER = "X-Carrier-Event-Id"


def message(timestamp: str, method: str, path: str, body: bytes) -> bytes:
    return f"{timestamp}\n{method.upper()}\n{path}\n{hashlib.sha256(body).hexdigest()}".encode()


def signature(secret: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), message(timestamp, method, path, body), hashlib.sha256).hexdigest()
    return f"hmac-sha256={digest}"


def signed_headers(key: str, secret: str, method: str, path: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {
        KEY_HEADER: key,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, method, path, body),
    }


def check(
    secret: str,
    headers: Mapping[str, str],
    method: str,
    path: str,
    body: bytes,
    *,
    window: int = 300,
    now: float | None = None,
) -> str:
    """``""`` when the request is signed and fresh, else why not: ``signature`` or ``stale``."""
    lookup = {key.lower(): value for key, value in headers.items()}
    timestamp = lookup.get(TIMESTAMP_HEADER.lower(), "")
    given = lookup.get(SIGNATURE_HEADER.lower(), "")
    if not timestamp.isdigit() or len(timestamp) > 12:
        return "signature"
    expected = signature(secret, timestamp, method, path, body)
    if not hmac.compare_digest(expected, given.strip()):
        return "signature"
    if abs((now if now is not None else time.time()) - int(timestamp)) > window:
        return "stale"
    return ""
