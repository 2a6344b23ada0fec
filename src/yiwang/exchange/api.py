"""JSON API of exchange (mounted in yiwang.api at /api/v1/exchange).

Two audiences: peer nodes (signed requests, :class:`~yiwang.exchange.node_auth.NodeSignatureAuth`)
upload packages in chunks, read their status and receipts, and pull what waits for them; staff with
the admin or data-official role read the console lists and replay dead letters.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from yiwang.core.errors import DomainError
from yiwang.core.lookups import get_by_public_id_or_404
from yiwang.core.paging import PageIn
from yiwang.exchange import reads, services
from yiwang.exchange.actions import allowed_actions, require_exchange_role
from yiwang.exchange.errors import ExchangeErrorCode
from yiwang.exchange.models import IncomingPackage, IncomingState, OutgoingPackage, WebhookDelivery
from yiwang.exchange.node_auth import NodeSignatureAuth, calling_node
from yiwang.exchange.schemas import (
    ExchangeChunkQuery,
    ExchangeDeliveryOut,
    ExchangeDeliveryQuery,
    ExchangeIncomingOut,
    ExchangeIncomingStatusOut,
    ExchangeNodeOut,
    ExchangeOutboxOut,
    ExchangeOutgoingOut,
    ExchangePackageAnnounceIn,
    ExchangeReceiptIn,
    ExchangeReceiptOut,
    ExchangeReplayIn,
    ExchangeReplayOut,
    ExchangeStateQuery,
)

router = Router(tags=["exchange"])
node_auth = NodeSignatureAuth()
MAX_CHUNK_BYTES = 8 * 1024 * 1024
OCTETS = {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}


def _incoming(node: Any, package_id: UUID) -> IncomingPackage:
    return get_by_public_id_or_404(
        IncomingPackage.objects.select_related("sender"),
        package_id,
        message="未找到交换包",
        code=ExchangeErrorCode.NOT_FOUND,
        sender=node,
    )


# --- peer nodes: push ---------------------------------------------------------------------------------
@router.post(
    "/packages",
    auth=node_auth,
    response={200: ExchangeIncomingStatusOut},
    summary="Announce a package (node; idempotent, answers received_bytes to resume from)",
)
def announce_package(request: HttpRequest, payload: ExchangePackageAnnounceIn) -> dict[str, Any]:
    package = services.start_incoming(calling_node(request), **payload.dict())
    return services.incoming_status(package)


@router.put(
    "/packages/{uuid:package_id}/chunks",
    auth=node_auth,
    response={200: ExchangeIncomingStatusOut},
    summary="Upload the chunk starting at offset (node); the last one completes the package",
    openapi_extra={"requestBody": {"required": True, "content": OCTETS}},
)
def upload_chunk(request: HttpRequest, package_id: UUID, query: Query[ExchangeChunkQuery]) -> dict[str, Any]:
    node = calling_node(request)
    data = request.body
    if not data or len(data) > MAX_CHUNK_BYTES:
        raise DomainError(
            ExchangeErrorCode.TOO_LARGE, "分片须为 1 字节至 8 MiB", {"max_bytes": MAX_CHUNK_BYTES}, status=413
        )
    package = services.receive_chunk(node, _incoming(node, package_id), query.offset, data)
    return services.incoming_status(package)


@router.get(
    "/packages/{uuid:package_id}",
    auth=node_auth,
    response={200: ExchangeIncomingStatusOut},
    summary="Status of an uploaded package (node): state and received_bytes",
)
def package_status(request: HttpRequest, package_id: UUID) -> dict[str, Any]:
    return services.incoming_status(_incoming(calling_node(request), package_id))


@router.get(
    "/packages/{uuid:package_id}/receipt",
    auth=node_auth,
    response={200: ExchangeReceiptOut},
    summary="The signed receipt of a package once applied or refused (node)",
)
def package_receipt(request: HttpRequest, package_id: UUID) -> dict[str, Any]:
    package = _incoming(calling_node(request), package_id)
    if package.state not in (IncomingState.APPLIED, IncomingState.REFUSED) or not package.receipt:
        raise DomainError(ExchangeErrorCode.NOT_FOUND, "回执尚未生成", {"state": package.state}, status=404)
    return {"receipt": package.receipt, "receipt_signature": package.receipt_signature}


# --- peer nodes: pull ---------------------------------------------------------------------------------
@router.get(
    "/outbox",
    auth=node_auth,
    response={200: ExchangeOutboxOut},
    summary="Packages waiting for the calling node (pull)",
)
def pull_list(request: HttpRequest, paging: Query[PageIn]) -> dict[str, Any]:
    rows = paging.window(services.outbox(calling_node(request)))
    return {
        "items": [
            {
                "package_id": p.public_id,
                "kind": p.kind,
                "sequence": p.sequence,
                "size": p.size,
                "sha256": p.sha256,
                "created_at": p.created_at,
            }
            for p in rows
        ]
    }


@router.get(
    "/outbox/{uuid:package_id}/archive",
    auth=node_auth,
    response={200: bytes, 206: bytes},
    summary="Download a waiting package (pull); honours `Range: bytes=start-end`",
)
def pull_download(request: HttpRequest, package_id: UUID) -> HttpResponse:
    package = services.outbox_package(calling_node(request), package_id)
    range_header = request.headers.get("Range", "")
    data, start, end = services.read_range(package, range_header)
    response = HttpResponse(data, content_type="application/zip", status=206 if range_header else 200)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = f'"{package.sha256}"'
    if range_header:
        response["Content-Range"] = f"bytes {start}-{end}/{package.size}"
    return response


@router.post(
    "/outbox/{uuid:package_id}/ack",
    auth=node_auth,
    response={200: ExchangeOutgoingOut},
    summary="Acknowledge a pulled package with the signed receipt (pull)",
)
def pull_ack(request: HttpRequest, package_id: UUID, payload: ExchangeReceiptIn) -> dict[str, Any]:
    node = calling_node(request)
    package = services.acknowledge(
        node, services.outbox_package(node, package_id), payload.receipt, payload.receipt_signature
    )
    return _outgoing_row(request, package)


# --- staff: the console -------------------------------------------------------------------------------
def _outgoing_row(request: HttpRequest, p: OutgoingPackage) -> dict[str, Any]:
    return {
        "id": p.public_id,
        "receiver": p.receiver.node_id,
        "kind": p.kind,
        "sequence": p.sequence,
        "mode": p.mode,
        "state": p.state,
        "size": p.size,
        "bytes_confirmed": p.bytes_confirmed,
        "attempts": p.attempts,
        "next_attempt_at": p.next_attempt_at,
        "last_error": p.last_error,
        "receipt": p.receipt,
        "created_at": p.created_at,
        "allowed_actions": sorted(allowed_actions(request.user, p)),
    }


def _delivery_row(request: HttpRequest, d: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": d.public_id,
        "owner": d.endpoint.owner,
        "url": d.endpoint.url,
        "event_id": d.event_id,
        "topic": d.topic,
        "state": d.state,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "last_status": d.last_status,
        "last_error": d.last_error,
        "delivered_at": d.delivered_at,
        "created_at": d.created_at,
        "allowed_actions": sorted(allowed_actions(request.user, d)),
    }


@router.get(
    "/nodes",
    response={200: list[ExchangeNodeOut]},
    summary="Registered peer nodes (admin, data official)",
)
def node_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_exchange_role(request.user)
    return [
        {
            "id": n.public_id,
            "node_id": n.node_id,
            "name": n.name,
            "base_url": n.base_url,
            "role": n.role,
            "sm2_public_key": n.sm2_public_key,
            "ed25519_public_key": n.ed25519_public_key,
            "pull_from": n.pull_from,
            "active": n.active,
        }
        for n in reads.nodes()
    ]


@router.get(
    "/outgoing",
    response={200: list[ExchangeOutgoingOut]},
    summary="Packages sent (admin, data official)",
)
def outgoing_list(
    request: HttpRequest, paging: Query[PageIn], filters: Query[ExchangeStateQuery]
) -> list[dict[str, Any]]:
    require_exchange_role(request.user)
    return [_outgoing_row(request, p) for p in paging.window(reads.outgoing(filters.state))]


@router.get(
    "/incoming",
    response={200: list[ExchangeIncomingOut]},
    summary="Packages received (admin, data official)",
)
def incoming_list(
    request: HttpRequest, paging: Query[PageIn], filters: Query[ExchangeStateQuery]
) -> list[dict[str, Any]]:
    require_exchange_role(request.user)
    return [
        {
            "id": p.public_id,
            "sender": p.sender.node_id,
            "kind": p.kind,
            "sequence": p.sequence,
            "mode": p.mode,
            "state": p.state,
            "size": p.size,
            "received_bytes": p.received_bytes,
            "error_code": p.error_code,
            "error_message": p.error_message,
            "applied_at": p.applied_at,
            "created_at": p.created_at,
        }
        for p in paging.window(reads.incoming(filters.state))
    ]


@router.get(
    "/deliveries",
    response={200: list[ExchangeDeliveryOut]},
    summary="Webhook deliveries (admin, data official)",
)
def delivery_list(
    request: HttpRequest, paging: Query[PageIn], filters: Query[ExchangeDeliveryQuery]
) -> list[dict[str, Any]]:
    require_exchange_role(request.user)
    return [_delivery_row(request, d) for d in paging.window(reads.deliveries(filters.state, filters.owner))]


@router.get(
    "/dead-letters",
    response={200: list[ExchangeDeliveryOut]},
    summary="Dead letters (admin, data official)",
)
def dead_letter_list(request: HttpRequest, paging: Query[PageIn]) -> list[dict[str, Any]]:
    require_exchange_role(request.user)
    return [_delivery_row(request, d) for d in paging.window(reads.deliveries("dead"))]


@router.post(
    "/deliveries/{uuid:delivery_id}/replay",
    response={200: ExchangeDeliveryOut},
    summary="Replay one dead letter (admin, data official)",
)
def delivery_replay(request: HttpRequest, delivery_id: UUID) -> dict[str, Any]:
    require_exchange_role(request.user)
    delivery = get_by_public_id_or_404(
        WebhookDelivery.objects.select_related("endpoint"),
        delivery_id,
        message="未找到投递记录",
        code=ExchangeErrorCode.NOT_FOUND,
    )
    delivery = services.replay_delivery(delivery, actor=request.user)
    return _delivery_row(request, delivery)


@router.post(
    "/outgoing/{uuid:package_id}/retry",
    response={200: ExchangeOutgoingOut},
    summary="Send a failed package again (admin, data official)",
)
def outgoing_retry(request: HttpRequest, package_id: UUID) -> dict[str, Any]:
    require_exchange_role(request.user)
    package = get_by_public_id_or_404(
        OutgoingPackage.objects.select_related("receiver"),
        package_id,
        message="未找到交换包",
        code=ExchangeErrorCode.NOT_FOUND,
    )
    return _outgoing_row(request, services.retry_package(package, actor=request.user))


@router.post(
    "/dead-letters/replay",
    response={200: ExchangeReplayOut},
    summary="Replay dead letters in bulk (admin, data official)",
)
def dead_letters_replay(request: HttpRequest, payload: ExchangeReplayIn) -> dict[str, int]:
    require_exchange_role(request.user)
    return {
        "replayed": services.replay_dead_letters(actor=request.user, ids=payload.ids, owner=payload.owner)
    }
