"""Registering the peer nodes this node exchanges with (交换节点登记)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from yiwang.core import audit
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.exchange.models import ExchangeNode, NodeRole

NODE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
HEX = re.compile(r"^[0-9a-f]*$")


def _validate(node_id: str, base_url: str, role: str, sm2_public_key: str, ed25519_public_key: str) -> None:
    fields: dict[str, list[str]] = {}
    if not NODE_ID.match(node_id):
        fields["node_id"] = ["节点标识只能包含字母、数字、点、下划线和连字符"]
    if not base_url.startswith(("http://", "https://")):
        fields["base_url"] = ["地址须以 http:// 或 https:// 开头"]
    if role not in NodeRole.values:
        fields["role"] = ["角色不正确"]
    if sm2_public_key and (len(sm2_public_key) != 128 or not HEX.match(sm2_public_key)):
        fields["sm2_public_key"] = ["SM2 公钥须为 128 位十六进制"]
    if ed25519_public_key and (len(ed25519_public_key) != 64 or not HEX.match(ed25519_public_key)):
        fields["ed25519_public_key"] = ["Ed25519 公钥须为 64 位十六进制"]
    if not (sm2_public_key or ed25519_public_key):
        fields["sm2_public_key"] = ["至少需要一个公钥"]
    if fields:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "节点信息不正确", fields)


def register_node(
    *,
    node_id: str,
    name: str,
    base_url: str,
    role: str = NodeRole.PEER,
    sm2_public_key: str = "",
    ed25519_public_key: str = "",
    outbound_token: str = "",
    pull_from: bool = False,
    active: bool = True,
    actor: Any = None,
) -> ExchangeNode:
    """Add a peer node, or update the one with this ``node_id`` (keys, address, role)."""
    sm2_public_key = (
        sm2_public_key.lower().removeprefix("04") if len(sm2_public_key) == 130 else sm2_public_key.lower()
    )
    ed25519_public_key = ed25519_public_key.lower()
    _validate(node_id, base_url, role, sm2_public_key, ed25519_public_key)
    values = {
        "name": name[:200] or node_id,
        "base_url": base_url.rstrip("/"),
        "role": role,
        "sm2_public_key": sm2_public_key,
        "ed25519_public_key": ed25519_public_key,
        "outbound_token": outbound_token,
        "pull_from": pull_from,
        "active": active,
    }
    with transaction.atomic():
        node = ExchangeNode.objects.select_for_update().filter(node_id=node_id).first()
        if node is None:
            node = ExchangeNode.objects.create(node_id=node_id, **values)
            action = "exchange.node_registered"
        else:
            for key, value in values.items():
                setattr(node, key, value)
            node.save(update_fields=[*values, "updated_at"])
            action = "exchange.node_updated"
        audit.record(action, actor=actor, obj=node, detail={"node_id": node_id, "base_url": node.base_url})
    return node
