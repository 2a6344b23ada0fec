"""Receiving packages (接收交换包): start, chunks with offsets, completion (every check), then each
(sender, kind) stream applied in sequence order by the handler registered for the kind, exactly once."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from pathlib import Path
from typing import Any
from uuid import UUID
from zipfile import ZipFile

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.exchange.errors import ExchangeErrorCode
from yiwang.exchange.handlers import ReceivedPackage, handler_for
from yiwang.exchange.identity import local_identity
from yiwang.exchange.models import (
    DeliveryMode,
    ExchangeNode,
    ExchangeStream,
    IncomingPackage,
    IncomingState,
    StreamDirection,
)
from yiwang.exchange.package import KIND, open_archive
from yiwang.exchange.signing import canonical_json, node_verifies
from yiwang.exchange.storage import (
    ArchiveIntegrityError,
    archive_content,
    read_archive,
    spool_read,
    spool_write,
)

logger = logging.getLogger("yiwang.exchange")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_MAX_PACKAGE_BYTES = 512 * 1024 * 1024


def max_package_bytes() -> int:
    return int(getattr(settings, "YIWANG_EXCHANGE_MAX_PACKAGE_BYTES", DEFAULT_MAX_PACKAGE_BYTES))


def spool_path(package: IncomingPackage) -> Path:
    root = Path(
        getattr(settings, "YIWANG_EXCHANGE_SPOOL", "") or Path(settings.MEDIA_ROOT) / "exchange" / "spool"
    )
    root.mkdir(parents=True, exist_ok=True)
    return root / f"{package.public_id}.part"


def start_incoming(
    sender: ExchangeNode,
    *,
    package_id: UUID,
    kind: str,
    sequence: int,
    size: int,
    sha256: str,
    mode: str = DeliveryMode.PUSH,
) -> IncomingPackage:
    """Announce a package (idempotent): the same announcement again answers the package as it is now,
    with ``received_bytes`` to resume from; a different one under the same id is a conflict."""
    fields: dict[str, list[str]] = {}
    if not KIND.match(kind):
        fields["kind"] = ["类别只能包含小写字母、数字、点、下划线和连字符"]
    if not SHA256.match(sha256):
        fields["sha256"] = ["须为 64 位小写十六进制"]
    if size < 1 or size > max_package_bytes():
        fields["size"] = [f"大小须在 1 至 {max_package_bytes()} 字节之间"]
    if sequence < 1:
        fields["sequence"] = ["序号须为正整数"]
    if fields:
        code = (
            ExchangeErrorCode.TOO_LARGE
            if list(fields) == ["size"] and size > 0
            else ExchangeErrorCode.MALFORMED_PACKAGE
        )
        raise DomainError(
            code, "交换包声明不正确", fields, status=413 if code == ExchangeErrorCode.TOO_LARGE else 422
        )
    existing = IncomingPackage.objects.filter(public_id=package_id).first()
    if existing is not None:
        same = (existing.sender_id, existing.kind, existing.sequence, existing.size, existing.sha256) == (
            sender.pk,
            kind,
            sequence,
            size,
            sha256,
        )
        if not same:
            raise DomainError(ExchangeErrorCode.PACKAGE_CONFLICT, "该交换包编号已用于另一交换包", status=409)
        return existing
    with transaction.atomic():
        stream = _stream(sender, kind)
        if sequence <= stream.last_sequence:
            raise DomainError(
                ExchangeErrorCode.PACKAGE_CONFLICT,
                "该序号已处理",
                {"sequence": [f"已处理至 {stream.last_sequence}"]},
                status=409,
            )
        try:
            with transaction.atomic():
                package = IncomingPackage.objects.create(
                    public_id=package_id,
                    sender=sender,
                    kind=kind,
                    sequence=sequence,
                    size=size,
                    sha256=sha256,
                    mode=mode,
                )
        except IntegrityError as exc:
            raise DomainError(
                ExchangeErrorCode.PACKAGE_CONFLICT, "该序号已被另一交换包占用", status=409
            ) from exc
    return package


def _stream(sender: ExchangeNode, kind: str) -> ExchangeStream:
    stream, _ = ExchangeStream.objects.get_or_create(node=sender, kind=kind, direction=StreamDirection.IN)
    return ExchangeStream.objects.select_for_update().get(pk=stream.pk)


def receive_chunk(
    sender: ExchangeNode, package: IncomingPackage, offset: int, data: bytes
) -> IncomingPackage:
    """Store ``data`` at ``offset``. Only the next byte is accepted (``409 exchange_bad_offset`` names
    ``received_bytes``); a chunk already stored is ignored. The last chunk completes the package."""
    if package.sender_id != sender.pk:
        raise DomainError(ExchangeErrorCode.NOT_FOUND, "未找到交换包", status=404)
    with transaction.atomic():
        package = IncomingPackage.objects.select_for_update().get(pk=package.pk)
        if package.state != IncomingState.RECEIVING or offset + len(data) <= package.received_bytes:
            return package  # a repeated chunk (the answer to the first one was lost)
        if offset != package.received_bytes:
            raise DomainError(
                ExchangeErrorCode.BAD_OFFSET,
                "分片偏移量与已接收字节数不符",
                {"received_bytes": package.received_bytes},
                status=409,
            )
        if offset + len(data) > package.size:
            raise DomainError(
                ExchangeErrorCode.TOO_LARGE, "分片超出声明的大小", {"size": package.size}, status=413
            )
        spool_write(spool_path(package), str(package.public_id), offset, data)
        package.received_bytes = offset + len(data)
        package.save(update_fields=["received_bytes", "updated_at"])
    if package.received_bytes == package.size:
        package = complete_incoming(package)
    return package


def complete_incoming(package: IncomingPackage) -> IncomingPackage:
    """Check the whole archive; refuse it (422, logged and audited, nothing applied) or keep it and
    apply its stream as far as the sequence allows."""
    path = spool_path(package)
    sender = package.sender
    try:
        try:
            data = spool_read(path, str(package.public_id), package.size)
        except ArchiveIntegrityError as exc:  # the spool was changed on disk: the sender sends again
            raise DomainError(
                ExchangeErrorCode.HASH_MISMATCH, "接收缓存校验失败，请重新发送", status=422
            ) from exc
        checked = _check(package, sender, data)
    except DomainError as exc:
        refuse_incoming(package, exc)
        path.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        locked = IncomingPackage.objects.select_for_update().get(pk=package.pk)
        if locked.state == IncomingState.RECEIVING:
            locked.archive.save(
                f"{package.public_id}.zip.enc", archive_content(data, str(package.public_id)), save=False
            )
            locked.manifest = checked
            locked.state = IncomingState.WAITING
            locked.save(update_fields=["archive", "manifest", "state", "updated_at"])
    path.unlink(missing_ok=True)
    apply_stream(sender, package.kind)
    package.refresh_from_db()
    return package


def _check(package: IncomingPackage, sender: ExchangeNode, data: bytes) -> dict[str, Any]:
    if hashlib.sha256(data).hexdigest() != package.sha256:
        raise DomainError(ExchangeErrorCode.HASH_MISMATCH, "交换包摘要与声明不符", status=422)
    checked = open_archive(data, lambda signature, body: node_verifies(sender, signature, body))
    manifest = checked.manifest
    expected = {
        "package_id": str(package.public_id),
        "sender": sender.node_id,
        "receiver": local_identity().node_id,
        "kind": package.kind,
        "sequence": package.sequence,
    }
    wrong = sorted(key for key, value in expected.items() if manifest.get(key) != value)
    if wrong:
        raise DomainError(
            ExchangeErrorCode.MALFORMED_PACKAGE, "清单与交换包声明不符", {"manifest": wrong}, status=422
        )
    return manifest


def _receipt(
    package: IncomingPackage, state: str, code: str = "", message: str = "", result: Any = None
) -> tuple[dict[str, Any], str]:
    identity = local_identity()
    receipt = {
        "package_id": str(package.public_id),
        "sender": package.sender.node_id,
        "receiver": identity.node_id,
        "kind": package.kind,
        "sequence": package.sequence,
        "state": state,
        "code": code,
        "message": message,
        "result": result,
        "at": timezone.now().isoformat(),
    }
    return receipt, identity.sign(canonical_json(receipt))


def refuse_incoming(package: IncomingPackage, exc: DomainError) -> None:
    with transaction.atomic():
        locked = IncomingPackage.objects.select_for_update().get(pk=package.pk)
        if locked.state in (IncomingState.APPLIED, IncomingState.REFUSED):
            return
        locked.state = IncomingState.REFUSED
        locked.error_code = str(exc.code)[:60]
        locked.error_message = exc.message[:500]
        locked.receipt, locked.receipt_signature = _receipt(locked, "refused", str(exc.code), exc.message)
        locked.save(
            update_fields=[
                "state",
                "error_code",
                "error_message",
                "receipt",
                "receipt_signature",
                "updated_at",
            ]
        )
        audit.record(
            "exchange.package_refused",
            obj=locked,
            detail={
                "sender": package.sender.node_id,
                "kind": package.kind,
                "sequence": package.sequence,
                "code": str(exc.code),
            },
        )
    logger.warning(
        "exchange package refused: %s from %s (%s #%s): %s %s",
        package.public_id,
        package.sender.node_id,
        package.kind,
        package.sequence,
        exc.code,
        exc.message,
    )


def apply_stream(sender: ExchangeNode, kind: str) -> int:
    """Apply the waiting packages of (sender, kind) whose turn it is, one transaction each; a package
    whose predecessor has not arrived waits. Returns how many were applied."""
    applied = 0
    while True:
        with transaction.atomic():
            stream = _stream(sender, kind)
            package = (
                IncomingPackage.objects.select_for_update()
                .filter(
                    sender=sender, kind=kind, sequence=stream.last_sequence + 1, state=IncomingState.WAITING
                )
                .first()
            )
            if package is None:
                return applied
            handler = handler_for(kind)
            if handler is None:
                error = DomainError(
                    ExchangeErrorCode.NO_HANDLER, f"本节点不处理此类交换包：{kind}", status=422
                )
            else:
                error = None
                try:
                    with transaction.atomic():
                        result = handler(_received(package))
                        canonical_json(result)  # the result must be JSON for the receipt
                except DomainError as exc:
                    error = exc
                except (TypeError, ValueError) as exc:
                    error = DomainError(
                        ExchangeErrorCode.HANDLER_FAILED, f"处理结果无效：{exc}"[:200], status=422
                    )
                except Exception:  # a fault of this node, not of the package: it waits and is retried
                    logger.exception("exchange handler for %s failed on %s", kind, package.public_id)
                    return applied
            if error is None:
                package.state = IncomingState.APPLIED
                package.result = result
                package.applied_at = timezone.now()
                package.receipt, package.receipt_signature = _receipt(package, "applied", result=result)
                package.save(
                    update_fields=[
                        "state",
                        "result",
                        "applied_at",
                        "receipt",
                        "receipt_signature",
                        "updated_at",
                    ]
                )
                stream.last_sequence = package.sequence
                stream.save(update_fields=["last_sequence"])
                audit.record(
                    "exchange.package_applied",
                    obj=package,
                    detail={"sender": sender.node_id, "kind": kind, "sequence": package.sequence},
                )
                applied += 1
                continue
        refuse_incoming(package, error)
        return applied


def _received(package: IncomingPackage) -> ReceivedPackage:
    manifest = package.manifest or {}
    data = read_archive(package.archive, str(package.public_id), package.size)
    with ZipFile(io.BytesIO(data)) as archive:
        entries = {
            entry["name"]: archive.read("entries/" + entry["name"]) for entry in manifest.get("entries", [])
        }
    return ReceivedPackage(
        package_id=str(package.public_id),
        sender=package.sender.node_id,
        kind=package.kind,
        sequence=package.sequence,
        created_at=str(manifest.get("created_at", "")),
        entries=entries,
    )


def incoming_status(package: IncomingPackage) -> dict[str, Any]:
    return {
        "package_id": package.public_id,
        "state": package.state,
        "size": package.size,
        "received_bytes": package.received_bytes,
        "receipt": package.receipt,
        "receipt_signature": package.receipt_signature,
    }
