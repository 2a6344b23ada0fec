"""Pull mode (拉取模式): a node lists the packages waiting for it here, downloads them with ``Range``
(resuming from the bytes it already holds) and acknowledges each with its signed receipt."""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from yiwang.core.errors import DomainError
from yiwang.exchange.client import signed_request
from yiwang.exchange.errors import ExchangeErrorCode
from yiwang.exchange.identity import local_identity
from yiwang.exchange.models import (
    DeliveryMode,
    ExchangeNode,
    IncomingPackage,
    IncomingState,
    OutgoingPackage,
    OutgoingState,
)
from yiwang.exchange.services.incoming import receive_chunk, start_incoming
from yiwang.exchange.services.outgoing import record_receipt
from yiwang.exchange.storage import read_archive_range

logger = logging.getLogger("yiwang.exchange")
RANGE = re.compile(r"^bytes=(\d{1,15})-(\d{0,15})$")
DOWNLOAD_BYTES = 1024 * 1024


# --- the side that holds the packages --------------------------------------------------------------
def outbox(node: ExchangeNode) -> QuerySet[OutgoingPackage]:
    """The pull-mode packages for ``node`` it has not acknowledged, oldest first (stream order)."""
    return OutgoingPackage.objects.filter(
        receiver=node,
        mode=DeliveryMode.PULL,
        state__in=[OutgoingState.READY, OutgoingState.SENDING, OutgoingState.SENT],
    ).order_by("kind", "sequence")


def outbox_package(node: ExchangeNode, package_id: UUID) -> OutgoingPackage:
    package = OutgoingPackage.objects.filter(
        receiver=node, mode=DeliveryMode.PULL, public_id=package_id
    ).first()
    if package is None:
        raise DomainError(ExchangeErrorCode.NOT_FOUND, "未找到交换包", status=404)
    return package


def read_range(package: OutgoingPackage, range_header: str) -> tuple[bytes, int, int]:
    """The bytes ``Range: bytes=start-end`` asks for (at most 8 MiB per answer): data, start, end."""
    start, end = 0, package.size - 1
    if range_header:
        match = RANGE.match(range_header.strip())
        if not match:
            raise DomainError(
                ExchangeErrorCode.BAD_OFFSET, "Range 头格式不正确", {"range": [range_header[:60]]}, status=416
            )
        start = int(match.group(1))
        end = int(match.group(2)) if match.group(2) else end
    end = min(end, package.size - 1, start + 8 * 1024 * 1024 - 1)
    if start >= package.size or end < start:
        raise DomainError(
            ExchangeErrorCode.BAD_OFFSET, "请求范围超出交换包大小", {"size": package.size}, status=416
        )
    data = read_archive_range(package.archive, str(package.public_id), package.size, start, end - start + 1)
    return data, start, end


def acknowledge(
    node: ExchangeNode, package: OutgoingPackage, receipt: dict[str, Any], signature: str
) -> OutgoingPackage:
    """The puller's signed receipt closes the package (idempotent)."""
    if package.receiver_id != node.pk:
        raise DomainError(ExchangeErrorCode.NOT_FOUND, "未找到交换包", status=404)
    return record_receipt(package, receipt, signature)


# --- the side that pulls ----------------------------------------------------------------------------
def pull_from(node: ExchangeNode, *, chunk_bytes: int = DOWNLOAD_BYTES) -> list[IncomingPackage]:
    """Fetch, check and apply what ``node`` holds for us, then acknowledge each package. A download
    cut off half-way resumes from the bytes already stored at the next call."""
    identity = local_identity()
    answer = signed_request(identity, node, "GET", "/outbox?limit=200")
    if answer.status != 200:
        raise DomainError(ExchangeErrorCode.TRANSFER_FAILED, f"拉取列表失败：{answer.error}", status=502)
    done: list[IncomingPackage] = []
    for row in (answer.json() or {}).get("items", []):
        try:
            package = start_incoming(
                node,
                package_id=UUID(row["package_id"]),
                kind=row["kind"],
                sequence=int(row["sequence"]),
                size=int(row["size"]),
                sha256=row["sha256"],
                mode=DeliveryMode.PULL,
            )
            package = _download(node, package, chunk_bytes)
        except DomainError as exc:
            logger.warning(
                "exchange pull of %s from %s refused: %s", row.get("package_id"), node.node_id, exc.code
            )
            package = IncomingPackage.objects.filter(public_id=row.get("package_id")).first()  # type: ignore[assignment]
            if package is None:
                continue
        if package.receipt:
            body = json.dumps(
                {"receipt": package.receipt, "receipt_signature": package.receipt_signature}
            ).encode()
            ack = signed_request(
                identity,
                node,
                "POST",
                f"/outbox/{package.public_id}/ack",
                body,
                headers={"Content-Type": "application/json"},
            )
            if ack.status != 200:
                logger.warning(
                    "exchange ack of %s to %s failed: %s", package.public_id, node.node_id, ack.error
                )
        done.append(package)
    return done


def _download(node: ExchangeNode, package: IncomingPackage, chunk_bytes: int) -> IncomingPackage:
    identity = local_identity()
    while package.state == IncomingState.RECEIVING:
        start = package.received_bytes
        end = min(package.size, start + chunk_bytes) - 1
        answer = signed_request(
            identity,
            node,
            "GET",
            f"/outbox/{package.public_id}/archive",
            headers={"Range": f"bytes={start}-{end}"},
        )
        if answer.status not in (200, 206):
            raise DomainError(ExchangeErrorCode.TRANSFER_FAILED, f"下载失败：{answer.error}", status=502)
        data = answer.body if answer.status == 206 else answer.body[start : end + 1]
        if not data:
            raise DomainError(ExchangeErrorCode.TRANSFER_FAILED, "下载未得到数据", status=502)
        package = receive_chunk(node, package, start, data)
    return package
