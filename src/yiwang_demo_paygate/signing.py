"""Signing of the paygate protocol (签名): SM2 over the canonical body, a timestamp and a nonce.

Pure functions; the string to sign is ``payload + "\\n" + timestamp + "\\n" + nonce`` where the payload
is the canonical JSON of a body, ``{"path": ...}`` for a GET, or the raw bytes of a statement file.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

from yiwang.core.crypto import sm2_sign, sm2_verify

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
    """What a GET signs: the request path (with its query string), as canonical JSON."""
    return canonical_json({"path": path})


def string_to_sign(payload: bytes, timestamp: str, nonce: str) -> bytes:
    return payload + b"\n" + timestamp.encode() + b"\n" + nonce.encode()


def sign_headers(private_hex: str, payload: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(16)
    signature = sm2_sign(private_hex, string_to_sign(payload, timestamp, nonce))
    return {TIMESTAMP: timestamp, NONCE: nonce, SIGNATURE: signature}


def verify(
    public_hex: str, payload: bytes, headers: Mapping[str, str], now: float | None = None
) -> str | None:
    """The nonce when the headers are well formed, fresh and the signature is good; else None.

    Whether the nonce was seen before is the receiver's to check (it needs storage).
    """
    timestamp = headers.get(TIMESTAMP) or ""
    nonce = headers.get(NONCE) or ""
    signature = headers.get(SIGNATURE) or ""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return None
    if not NONCE_RE.fullmatch(nonce) or not SIGNATURE_RE.fullmatch(signature):
        return None
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > MAX_SKEW_S:
        return None
    if not sm2_verify(public_hex, signature.lower(), string_to_sign(payload, timestamp, nonce)):
        return None
    return nonce
