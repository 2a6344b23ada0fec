"""This node's identity (本节点身份): its node id and SM2 private key, from settings or a key file.

``YIWANG_EXCHANGE_NODE_ID`` and ``YIWANG_EXCHANGE_SM2_PRIVATE_KEY`` (hex) may be set directly; otherwise
``YIWANG_EXCHANGE_KEY_FILE`` names a JSON file ``{"node_id": "...", "sm2_private_key": "<hex>"}``
(``manage.py exchange_identity --generate`` writes one, mode 0600).  :func:`acting_as` replaces the
identity for the current thread/context: a node that hosts two identities (the tests, a demo playing
both province and city) signs as the one it acts for.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from yiwang.core.crypto import sm2_generate_keypair, sm2_public_key, sm2_sign
from yiwang.core.errors import DomainError
from yiwang.exchange.errors import ExchangeErrorCode

SIGNATURE_ALGORITHM = "sm2-sm3"


@dataclass(frozen=True)
class NodeIdentity:
    node_id: str
    sm2_private_key: str

    @property
    def sm2_public_key(self) -> str:
        return _public_key(self.sm2_private_key)

    def sign(self, data: bytes) -> str:
        """``sm2-sm3:<r‖s hex>`` over ``data``."""
        return f"{SIGNATURE_ALGORITHM}:{sm2_sign(self.sm2_private_key, data)}"


@lru_cache(maxsize=32)
def _public_key(private_key: str) -> str:
    return sm2_public_key(private_key)


_acting: ContextVar[NodeIdentity | None] = ContextVar("yiwang_exchange_identity", default=None)


def generate_identity(node_id: str) -> NodeIdentity:
    return NodeIdentity(node_id, sm2_generate_keypair().private_key_hex)


def write_key_file(path: Path, identity: NodeIdentity) -> None:
    """Write the identity as the key file (0600): the private key never goes into the database."""
    data = json.dumps({"node_id": identity.node_id, "sm2_private_key": identity.sm2_private_key})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(data)


def configured_identity() -> NodeIdentity | None:
    node_id = getattr(settings, "YIWANG_EXCHANGE_NODE_ID", "")
    private_key = getattr(settings, "YIWANG_EXCHANGE_SM2_PRIVATE_KEY", "")
    key_file = getattr(settings, "YIWANG_EXCHANGE_KEY_FILE", "")
    if key_file and not private_key and Path(key_file).exists():
        data = json.loads(Path(key_file).read_text())
        node_id = node_id or data.get("node_id", "")
        private_key = data.get("sm2_private_key", "")
    if node_id and private_key:
        return NodeIdentity(str(node_id), str(private_key))
    return None


def local_identity() -> NodeIdentity:
    """The identity this node signs and receives as now; refuses when none is configured."""
    identity = _acting.get() or configured_identity()
    if identity is None:
        raise DomainError(
            ExchangeErrorCode.NOT_CONFIGURED,
            "本节点未配置交换身份（YIWANG_EXCHANGE_NODE_ID 与密钥文件）",
            status=503,
        )
    return identity


@contextmanager
def acting_as(identity: NodeIdentity) -> Iterator[NodeIdentity]:
    token = _acting.set(identity)
    try:
        yield identity
    finally:
        _acting.reset(token)
