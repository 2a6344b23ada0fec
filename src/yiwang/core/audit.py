"""Tamper-evident audit trail (审计日志, 全程留痕).

Every record carries the SHA-256 of the previous record plus its own canonical content, so editing,
inserting or deleting any row breaks the chain from that point; :func:`verify_chain` finds where.
Appends lock the single :class:`AuditChainHead` row so two writers can never fork the chain.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from yiwang.core import request_context
from yiwang.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip_address": event.ip_address,
        "channel": event.channel,
        "detail": event.detail,
    }
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def normalise_ip(value: str | None) -> str | None:
    """规范化 IP The address exactly as the database will store it, or ``None`` if it is not one.

    The hash is computed before the row is written, so it must see the stored form: the IP field
    rewrites IPv6 addresses (``2001:0db8::1`` → ``2001:db8::1``), and a forged ``X-Forwarded-For``
    such as ``unknown`` would otherwise be rejected by PostgreSQL's ``inet`` and lose the record.
    """
    if not value:
        return None
    try:
        ipaddress.ip_address(value.strip())
        prepared = AuditEvent._meta.get_field("ip_address").get_prep_value(value.strip())
    except (ValueError, ValidationError):
        return None
    return str(prepared) if prepared else None


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(event)).hexdigest()


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> AuditEvent:
    """Append one audit record in the caller's transaction (or a new one)."""
    ctx = request_context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            occurred_at=occurred_at or timezone.now(),
            actor=actor_obj,
            actor_label=str(actor_obj.get_username()) if actor_obj else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            ip_address=normalise_ip(ctx.ip_address),
            channel=ctx.channel,
            detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
            prev_hash=head.last_hash,
        )
        event.hash = compute_hash(head.last_hash, event)
        event.save()
        head.last_sequence = event.sequence
        head.last_hash = event.hash
        head.save(update_fields=["last_sequence", "last_hash", "updated_at"])
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_sequence: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 5000) -> ChainReport:
    """Walk the whole trail and report the first record whose link or content does not match."""
    prev_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return ChainReport(
                False, checked, expected_sequence, f"记录 #{expected_sequence} 缺失（序号不连续）"
            )
        if event.prev_hash != prev_hash:
            return ChainReport(False, checked, event.sequence, f"记录 #{event.sequence} 的前序哈希不匹配")
        if compute_hash(prev_hash, event) != event.hash:
            return ChainReport(False, checked, event.sequence, f"记录 #{event.sequence} 的内容被篡改")
        prev_hash = event.hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_sequence != checked:
        return ChainReport(
            False, checked, checked + 1, f"链尾记录缺失：应有 {head.last_sequence} 条，实有 {checked} 条"
        )
    return ChainReport(True, checked)
