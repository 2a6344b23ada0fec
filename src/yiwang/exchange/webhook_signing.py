"""How a webhook is signed and how a receiver checks it (docs/exchange.md "Verifying a webhook").

Headers: ``X-Yiwang-Event-Id`` (the idempotency key: the same event may arrive more than once),
``X-Yiwang-Topic``, ``X-Yiwang-Timestamp`` (Unix seconds) and ``X-Yiwang-Signature:
hmac-sha256=<hex>,hmac-sm3=<hex>``, both over ``<timestamp>.<raw body>`` with the endpoint's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

from yiwang.core.crypto import hmac_sm3

EVENT_HEADER = "X-Yiwang-Event-Id"
TOPIC_HEADER = "X-Yiwang-Topic"
TIMESTAMP_HEADER = "X-Yiwang-Timestamp"
SIGNATURE_HEADER = "X-Yiwang-Signature"
ATTEMPT_HEADER = "X-Yiwang-Attempt"
TOLERANCE_SECONDS = 300


def signature_value(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode() + b"." + body
    sha256 = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"hmac-sha256={sha256},hmac-sm3={hmac_sm3(secret.encode(), message).hex()}"


def verify_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: the timestamp is recent and one of the signatures matches (compared in
    constant time). ``headers`` is case-insensitive like Django's ``request.headers``."""
    lookup = {key.lower(): value for key, value in headers.items()}
    timestamp = lookup.get(TIMESTAMP_HEADER.lower(), "")
    if not timestamp.isdigit() or abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return False
    expected = dict(part.split("=", 1) for part in signature_value(secret, timestamp, body).split(","))
    for part in lookup.get(SIGNATURE_HEADER.lower(), "").split(","):
        name, _, value = part.strip().partition("=")
        if name in expected and hmac.compare_digest(expected[name], value):
            return True
    return False
