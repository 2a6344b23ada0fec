"""Sending packages (发送交换包): build and sign, then push in chunks that resume from the receiver's
last byte, with retries and backoff; the receiver's signed receipt closes the package."""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.exchange.client import Answer, signed_request
from yiwang.exchange.errors import ExchangeErrorCode
from yiwang.exchange.identity import local_identity
from yiwang.exchange.models import (
    DeliveryMode,
    ExchangeNode,
    ExchangeStream,
    OutgoingPackage,
    OutgoingState,
    StreamDirection,
)
from yiwang.exchange.package import KIND, build_signed
from yiwang.exchange.signing import canonical_json, node_verifies
from yiwang.exchange.storage import archive_content, read_archive_range

logger = logging.getLogger("yiwang.exchange")
CHUNK_BYTES = 1024 * 1024
FINAL = (OutgoingState.APPLIED, OutgoingState.REFUSED)


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """Exponential backoff with "equal jitter": half the delay fixed, half random."""
    delay = min(cap, base * 2 ** max(0, attempt - 1))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret


def build_package(
    kind: str,
    receiver: ExchangeNode,
    entries: Mapping[str, bytes],
    *,
    mode: str = DeliveryMode.PUSH,
    actor: Any = None,
) -> OutgoingPackage:
    """Build, sign and store the next package of ``kind`` for ``receiver`` (its sequence is the next
    of the (receiver, kind) stream). Push packages are sent after the commit; pull packages wait for
    the receiver to fetch them."""
    if not KIND.match(kind):
        raise DomainError(
            ExchangeErrorCode.MALFORMED_PACKAGE,
            "类别只能包含小写字母、数字、点、下划线和连字符",
            {"kind": [kind[:60]]},
        )
    if mode not in DeliveryMode.values:
        raise DomainError(ExchangeErrorCode.MALFORMED_PACKAGE, "投递方式不正确", {"mode": [mode]})
    identity = local_identity()
    with transaction.atomic():
        ExchangeStream.objects.get_or_create(node=receiver, kind=kind, direction=StreamDirection.OUT)
        stream = ExchangeStream.objects.select_for_update().get(
            node=receiver, kind=kind, direction=StreamDirection.OUT
        )
        sequence = stream.last_sequence + 1
        package = OutgoingPackage(receiver=receiver, kind=kind, sequence=sequence, mode=mode)
        data = build_signed(
            sign=identity.sign,
            package_id=str(package.public_id),
            sender=identity.node_id,
            receiver=receiver.node_id,
            kind=kind,
            sequence=sequence,
            created_at=timezone.now().isoformat(),
            entries=entries,
        )
        package.size = len(data)
        package.sha256 = hashlib.sha256(data).hexdigest()
        package.next_attempt_at = timezone.now()
        package.archive.save(
            f"{package.public_id}.zip.enc", archive_content(data, str(package.public_id)), save=False
        )
        package.save()
        stream.last_sequence = sequence
        stream.save(update_fields=["last_sequence"])
        audit.record(
            "exchange.package_built",
            actor=actor,
            obj=package,
            detail={
                "receiver": receiver.node_id,
                "kind": kind,
                "sequence": sequence,
                "entries": len(entries),
            },
        )
        if mode == DeliveryMode.PUSH and setting("YIWANG_EXCHANGE_PUSH_ON_COMMIT", True):
            transaction.on_commit(lambda: _kick(package.pk))
    return package


def _kick(pk: int) -> None:
    push_package_task.enqueue(pk)


@task()
def push_package_task(pk: int) -> str:
    """Push one package now (enqueued after the commit that built it)."""
    package = OutgoingPackage.objects.select_related("receiver").filter(pk=pk).first()
    if package is None:
        return "gone"
    return str(push_package(package).state)


def _claim(package: OutgoingPackage) -> OutgoingPackage | None:
    with transaction.atomic():
        locked = OutgoingPackage.objects.select_for_update().select_related("receiver").get(pk=package.pk)
        if locked.state in FINAL:
            return None
        locked.state = OutgoingState.SENDING
        locked.attempts += 1
        locked.next_attempt_at = timezone.now() + timedelta(
            seconds=setting("YIWANG_EXCHANGE_LEASE_SECONDS", 600)
        )
        locked.save(update_fields=["state", "attempts", "next_attempt_at", "updated_at"])
    return locked


def push_package(package: OutgoingPackage, *, chunk_bytes: int = CHUNK_BYTES) -> OutgoingPackage:
    """Send the package (or the rest of it) to its receiver. Network faults and 5xx answers schedule
    a retry with backoff; a 4xx refusal closes it as refused; a receipt closes it as applied."""
    claimed = _claim(package)
    if claimed is None:
        package.refresh_from_db()
        return package
    package = claimed
    identity = local_identity()
    node = package.receiver
    try:
        announce = json.dumps(
            {
                "package_id": str(package.public_id),
                "kind": package.kind,
                "sequence": package.sequence,
                "size": package.size,
                "sha256": package.sha256,
            }
        ).encode()
        answer = signed_request(
            identity, node, "POST", "/packages", announce, headers={"Content-Type": "application/json"}
        )
        while answer.status in (200, 201) and (answer.json() or {}).get("state") == "receiving":
            offset = int(answer.json()["received_bytes"])
            _confirm(package, offset)
            if offset >= package.size:
                # Every byte is there and another push (a concurrent sender) is completing it: never
                # send an empty chunk; ask for its state, and come back later while it is still busy.
                answer = signed_request(identity, node, "GET", f"/packages/{package.public_id}")
                if answer.status in (200, 201) and (answer.json() or {}).get("state") == "receiving":
                    return _retry(package, "receiver is completing the package")
                break
            chunk = read_archive_range(
                package.archive, str(package.public_id), package.size, offset, chunk_bytes
            )
            answer = signed_request(
                identity, node, "PUT", f"/packages/{package.public_id}/chunks?offset={offset}", chunk
            )
            if answer.status == 409 and (answer.json() or {}).get("code") == ExchangeErrorCode.BAD_OFFSET:
                answer = signed_request(identity, node, "GET", f"/packages/{package.public_id}")
    except OSError as exc:
        return _retry(package, f"network: {exc}"[:500])
    return _settle(package, answer)


def _confirm(package: OutgoingPackage, offset: int) -> None:
    if offset != package.bytes_confirmed:
        package.bytes_confirmed = offset
        OutgoingPackage.objects.filter(pk=package.pk).update(bytes_confirmed=offset)


def _settle(package: OutgoingPackage, answer: Answer) -> OutgoingPackage:
    data = answer.json() if isinstance(answer.json(), dict) else {}
    if answer.status in (200, 201) and data.get("receipt"):
        return record_receipt(package, data["receipt"], data.get("receipt_signature", ""))
    if answer.status in (200, 201) and data.get("state") == "waiting":
        with transaction.atomic():
            locked = OutgoingPackage.objects.select_for_update().get(pk=package.pk)
            locked.state = OutgoingState.SENT
            locked.bytes_confirmed = locked.size
            locked.next_attempt_at = timezone.now() + timedelta(
                seconds=setting("YIWANG_EXCHANGE_RECEIPT_POLL_SECONDS", 60)
            )
            locked.save(update_fields=["state", "bytes_confirmed", "next_attempt_at", "updated_at"])
        return locked
    if 400 <= answer.status < 500 and answer.status not in (401, 408, 409, 429):
        # Refused: fetch the signed refusal receipt when there is one.
        try:
            receipt = signed_request(
                local_identity(), package.receiver, "GET", f"/packages/{package.public_id}/receipt"
            )
        except OSError:
            receipt = None
        if receipt is not None and receipt.status == 200 and isinstance(receipt.json(), dict):
            body = receipt.json()
            return record_receipt(
                package,
                body.get("receipt") or {},
                body.get("receipt_signature", ""),
                fallback_error=answer.error,
            )
        return _close(package, OutgoingState.REFUSED, answer.error)
    return _retry(package, answer.error)


def _retry(package: OutgoingPackage, error: str) -> OutgoingPackage:
    max_attempts = setting("YIWANG_EXCHANGE_MAX_ATTEMPTS", 12)
    with transaction.atomic():
        locked = OutgoingPackage.objects.select_for_update().get(pk=package.pk)
        if locked.state in FINAL:
            return locked
        locked.last_error = error[:500]
        if locked.attempts >= max_attempts:
            locked.state = OutgoingState.FAILED
            locked.next_attempt_at = None
        else:
            locked.state = OutgoingState.READY
            locked.next_attempt_at = timezone.now() + timedelta(
                seconds=backoff_seconds(
                    locked.attempts, base=setting("YIWANG_EXCHANGE_BACKOFF_SECONDS", 30), cap=6 * 3600
                )
            )
        locked.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])
    logger.warning(
        "exchange push of %s to %s failed (attempt %s): %s",
        package.public_id,
        package.receiver.node_id,
        locked.attempts,
        error,
    )
    return locked


def _close(package: OutgoingPackage, state: str, error: str = "") -> OutgoingPackage:
    with transaction.atomic():
        locked = OutgoingPackage.objects.select_for_update().get(pk=package.pk)
        locked.state = state
        locked.last_error = error[:500]
        locked.next_attempt_at = None
        locked.finished_at = timezone.now()
        locked.save(update_fields=["state", "last_error", "next_attempt_at", "finished_at", "updated_at"])
    return locked


def record_receipt(
    package: OutgoingPackage, receipt: dict[str, Any], signature: str, *, fallback_error: str = ""
) -> OutgoingPackage:
    """Keep the receiver's receipt after checking its signature and that it is about this package."""
    node = package.receiver
    valid = (
        isinstance(receipt, dict)
        and receipt.get("package_id") == str(package.public_id)
        and receipt.get("receiver") == node.node_id
        and receipt.get("state") in ("applied", "refused")
        and node_verifies(node, signature, canonical_json(receipt))
    )
    if not valid:
        raise DomainError(ExchangeErrorCode.BAD_RECEIPT, "回执签名或内容无效", status=422)
    with transaction.atomic():
        locked = OutgoingPackage.objects.select_for_update().get(pk=package.pk)
        if locked.state in FINAL:
            return locked
        locked.state = OutgoingState.APPLIED if receipt["state"] == "applied" else OutgoingState.REFUSED
        locked.receipt = receipt
        locked.receipt_signature = signature
        locked.bytes_confirmed = locked.size
        locked.last_error = (
            f"{receipt.get('code', '')}: {receipt.get('message', '')}"
            if receipt["state"] == "refused"
            else fallback_error
        )[:500]
        locked.next_attempt_at = None
        locked.finished_at = timezone.now()
        locked.save(
            update_fields=[
                "state",
                "receipt",
                "receipt_signature",
                "bytes_confirmed",
                "last_error",
                "next_attempt_at",
                "finished_at",
                "updated_at",
            ]
        )
        audit.record(
            "exchange.package_receipt",
            obj=locked,
            detail={"receiver": node.node_id, "state": receipt["state"]},
        )
    return locked


def retry_package(package: OutgoingPackage, *, actor: Any = None) -> OutgoingPackage:
    """Send a package whose sending failed again, from attempt 0 (the receiver resumes it)."""
    with transaction.atomic():
        locked = OutgoingPackage.objects.select_for_update().get(pk=package.pk)
        if locked.state != OutgoingState.FAILED:
            raise DomainError(ExchangeErrorCode.NOT_FAILED, "只能重新发送发送失败的交换包", status=409)
        locked.state = OutgoingState.READY
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["state", "attempts", "next_attempt_at", "updated_at"])
        audit.record(
            "exchange.package_retried", actor=actor, obj=locked, detail={"receiver": locked.receiver.node_id}
        )
        if locked.mode == DeliveryMode.PUSH and setting("YIWANG_EXCHANGE_PUSH_ON_COMMIT", True):
            transaction.on_commit(lambda: _kick(locked.pk))
    return locked


def poll_receipt(package: OutgoingPackage) -> OutgoingPackage:
    """For a package delivered but still waiting its turn at the receiver: ask for the receipt."""
    try:
        answer = signed_request(
            local_identity(), package.receiver, "GET", f"/packages/{package.public_id}/receipt"
        )
    except OSError as exc:
        return _retry(package, f"network: {exc}")
    body = answer.json() if isinstance(answer.json(), dict) else {}
    if answer.status == 200 and body.get("receipt"):
        return record_receipt(package, body["receipt"], body.get("receipt_signature", ""))
    with transaction.atomic():
        locked = OutgoingPackage.objects.select_for_update().get(pk=package.pk)
        locked.next_attempt_at = timezone.now() + timedelta(
            seconds=setting("YIWANG_EXCHANGE_RECEIPT_POLL_SECONDS", 60)
        )
        locked.save(update_fields=["next_attempt_at", "updated_at"])
    return locked


def push_due(now: datetime | None = None, limit: int = 50) -> int:
    """Push the push-mode packages whose next attempt is due (a SENDING one whose lease ran out was
    left by a worker that died); poll the receipts of delivered ones. Returns how many were tried."""
    now = now or timezone.now()
    due = list(
        OutgoingPackage.objects.filter(
            mode=DeliveryMode.PUSH, next_attempt_at__lte=now, receiver__active=True
        )
        .filter(Q(state__in=[OutgoingState.READY, OutgoingState.SENDING, OutgoingState.SENT]))
        .select_related("receiver")
        .order_by("receiver_id", "kind", "sequence")[:limit]
    )
    for package in due:
        if package.state == OutgoingState.SENT:
            poll_receipt(package)
        else:
            push_package(package)
    return len(due)
