"""Exchange test support for tests of any app: node identities and peer rows, packages built by hand
(tampering, feeds): an archive optionally wrong in one way, and the announcement that precedes its
upload."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

from yiwang.exchange.identity import NodeIdentity, generate_identity
from yiwang.exchange.models import ExchangeNode
from yiwang.exchange.package import build_archive, build_manifest
from yiwang.exchange.services import register_node
from yiwang.exchange.signing import canonical_json


@cache
def identity(node_id: str) -> NodeIdentity:
    """One key pair per node id for the whole run (SM2 key generation is slow in pure Python)."""
    return generate_identity(node_id)


def node_row(ident: NodeIdentity, base_url: str = "http://127.0.0.1:9", **kwargs: Any) -> ExchangeNode:
    """The peer node ``ident`` registered here (its SM2 public key, a base URL)."""
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


# --- pytest fixtures shared by the exchange, federation and crossregion tests -----------------------
@pytest.fixture
def province() -> NodeIdentity:
    return identity("340000-province")


@pytest.fixture
def city() -> NodeIdentity:
    return identity("340100-city")


@pytest.fixture
def as_node(settings: Any):  # type: ignore[no-untyped-def]
    """Make this process (and the live server in it) answer as ``ident``."""

    def switch(ident: NodeIdentity) -> NodeIdentity:
        settings.YIWANG_EXCHANGE_NODE_ID = ident.node_id
        settings.YIWANG_EXCHANGE_SM2_PRIVATE_KEY = ident.sm2_private_key
        return ident

    return switch
