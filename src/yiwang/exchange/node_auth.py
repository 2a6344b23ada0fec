"""Authentication of a calling node (节点认证): its signed request, checked against its registered key."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader

from yiwang.core.errors import DomainError
from yiwang.exchange.errors import ExchangeErrorCode
from yiwang.exchange.identity import local_identity
from yiwang.exchange.models import ExchangeNode
from yiwang.exchange.signing import (
    CLOCK_SKEW_SECONDS,
    NODE_HEADER,
    TIMESTAMP_HEADER,
    node_verifies,
    request_message,
)

logger = logging.getLogger("yiwang.exchange")


def _refuse(code: ExchangeErrorCode, message: str, request: HttpRequest) -> DomainError:
    logger.warning(
        "exchange request refused: %s %s from node %r: %s",
        request.method,
        request.path,
        request.headers.get(NODE_HEADER, "")[:64],
        code,
    )
    return DomainError(code, message, status=401)


def authenticate_node(request: HttpRequest, signature: str) -> ExchangeNode:
    node_id = request.headers.get(NODE_HEADER, "")[:64]
    node = ExchangeNode.objects.filter(node_id=node_id, active=True).first() if node_id else None
    if node is None:
        raise _refuse(ExchangeErrorCode.UNKNOWN_NODE, "未登记或已停用的交换节点", request)
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > CLOCK_SKEW_SECONDS:
        raise _refuse(ExchangeErrorCode.STALE_REQUEST, "请求时间戳缺失或超出允许偏差", request)
    message = request_message(
        request.method or "GET", request.get_full_path(), timestamp, local_identity().node_id, request.body
    )
    if not node_verifies(node, signature, message):
        raise _refuse(ExchangeErrorCode.BAD_SIGNATURE, "请求签名验证失败", request)
    return node


class NodeSignatureAuth(APIKeyHeader):
    """``X-Yiwang-Node`` + ``X-Yiwang-Timestamp`` + ``X-Yiwang-Signature`` (docs/exchange.md)."""

    param_name = "X-Yiwang-Signature"
    openapi_description = "Signed by a registered exchange node (SM2 or Ed25519), see docs/exchange.md"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        node = authenticate_node(request, key)
        request.exchange_node = node  # type: ignore[attr-defined]
        return node


def calling_node(request: HttpRequest) -> ExchangeNode:
    return request.exchange_node  # type: ignore[attr-defined,no-any-return]
