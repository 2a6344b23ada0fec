"""Signatures between nodes: canonical JSON, signed requests and the check of a peer's signature.

A signature is ``<algorithm>:<hex>``: ``sm2-sm3`` (SM2 with SM3 and the default user id, preferred) or
``ed25519``.  A request is signed over ``METHOD \\n path?query \\n timestamp \\n receiver node id \\n
sha256(body)`` and sent with the headers ``X-Yiwang-Node``, ``X-Yiwang-Timestamp`` and
``X-Yiwang-Signature`` (docs/exchange.md).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from yiwang.core.crypto import sm2_verify

NODE_HEADER = "X-Yiwang-Node"
TIMESTAMP_HEADER = "X-Yiwang-Timestamp"
SIGNATURE_HEADER = "X-Yiwang-Signature"
CLOCK_SKEW_SECONDS = 300


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the bytes a manifest or receipt signature covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def request_message(method: str, path: str, timestamp: str, receiver: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), path, timestamp, receiver, hashlib.sha256(body).hexdigest()]).encode()


def verify_signature(*, sm2_public_key: str, ed25519_public_key: str, signature: str, data: bytes) -> bool:
    """Check ``signature`` with whichever of the node's keys its algorithm names."""
    algorithm, _, value = signature.partition(":")
    if len(value) > 256:
        return False
    if algorithm == "sm2-sm3" and sm2_public_key:
        return sm2_verify(sm2_public_key, value, data)
    if algorithm == "ed25519" and ed25519_public_key:
        try:
            key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(ed25519_public_key))
            key.verify(bytes.fromhex(value), data)
        except (ValueError, InvalidSignature):
            return False
        return True
    return False


def node_verifies(node: Any, signature: str, data: bytes) -> bool:
    return verify_signature(
        sm2_public_key=node.sm2_public_key,
        ed25519_public_key=node.ed25519_public_key,
        signature=signature,
        data=data,
    )
