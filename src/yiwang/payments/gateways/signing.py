"""Signatures of the fiscal gateway protocol (docs/payments.md "Notifications"): SM2-with-SM3 over
``payload + "\\n" + timestamp + "\\n" + nonce``; the payload is the canonical JSON of the body, the
canonical JSON of ``{"path": path?query}`` for a GET, or a statement file's raw bytes."""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

from yiwang.licences import sm2  # the integer SM2 (~1 ms a verification; gmssl needs ~55 ms)

TIMESTAMP = "X-Paygate-Timestamp"
NONCE = "X-Paygate-Nonce"
SIGNATURE = "X-Paygate-Signature"
MAX_SKEW_S = 300
NONCE_TTL_S = 600
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
SIGNATURE_RE = re.compile(r"[0-9a-fA-F]{1,256}")


def canonical_json(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def get_payload(path: str) -> bytes:
    return canonical_json({"path": path})


def string_to_sign(payload: bytes, timestamp: str, nonce: str) -> bytes:
    return payload + b"\n" + timestamp.encode() + b"\n" + nonce.encode()


def sign_headers(private_hex: str, payload: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(16)
    return {
        TIMESTAMP: timestamp,
        NONCE: nonce,
        SIGNATURE: sm2.sign(private_hex, string_to_sign(payload, timestamp, nonce)),
    }


def header(headers: Mapping[str, str], name: str) -> str:
    """A header by name whatever its case (HTTP headers and Django's ``request.headers`` differ)."""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def verify(
    public_hex: str, payload: bytes, headers: Mapping[str, str], now: float | None = None
) -> str | None:
    """The nonce when the headers are well formed, fresh and the signature good; else ``None``."""
    timestamp, nonce, signature = (
        header(headers, TIMESTAMP),
        header(headers, NONCE),
        header(headers, SIGNATURE),
    )
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return None
    if not NONCE_RE.fullmatch(nonce) or not SIGNATURE_RE.fullmatch(signature):
        return None
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_SKEW_S:
        return None
    try:
        good = sm2.verify(public_hex, signature.lower(), string_to_sign(payload, timestamp, nonce))
    except (ValueError, TypeError, ArithmeticError):
        return None
    return nonce if good else None
