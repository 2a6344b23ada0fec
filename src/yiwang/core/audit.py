"""Tamper-evident audit trail (审计日志, 全程留痕).

Every record carries the SHA-256 of the previous record plus its own canonical content, so editing,
inserting or deleting any row breaks the chain from that point; :func:`verify_chain` finds where.
Appends lock the single :class:`AuditChainHead` row so two writers can never fork the chain (on
PostgreSQL in two statements, so that the lock every audited transaction shares is held briefly).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql import InsertQuery
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
    event = AuditEvent(
        occurred_at=occurred_at or timezone.now(),
        actor=actor_obj,
        actor_label=str(actor_obj.get_username()) if actor_obj else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        ip_address=normalise_ip(ctx.ip_address),
        channel=ctx.channel,
        detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
    )
    connection = connections[router.db_for_write(AuditEvent)]
    if connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias, savepoint=False):
            if _append_postgresql(connection, event):
                return event
    with transaction.atomic(using=connection.alias):
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event.sequence = head.last_sequence + 1
        event.prev_hash = head.last_hash
        event.hash = compute_hash(head.last_hash, event)
        event.save()
        head.last_sequence = event.sequence
        head.last_hash = event.hash
        head.save(update_fields=["last_sequence", "last_hash", "updated_at"])
    return event


def _append_postgresql(connection: BaseDatabaseWrapper, event: AuditEvent) -> bool:
    """Append ``event`` holding the chain head's lock for as short as possible.

    The head row is the one lock every audited transaction takes, and it is held until the caller
    commits; each round trip made while holding it is a round trip every other writer waits out.
    So: one statement takes the lock and reads the link, one statement writes the record and the
    new head (a data-modifying CTE), and the caller commits — instead of a savepoint, a locking
    read, an insert, an update and a savepoint release.  ``False`` when the head row does not exist
    yet (the first record ever; the portable path creates it).
    """
    head = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {head} SET last_sequence = last_sequence + 1 WHERE id = 1 "  # noqa: S608 - model table name
            "RETURNING last_sequence, last_hash"
        )
        row = cursor.fetchone()
        if row is None:
            return False
        event.sequence, event.prev_hash = int(row[0]), str(row[1])
        event.hash = compute_hash(event.prev_hash, event)
        insert = InsertQuery(AuditEvent)
        insert.insert_values(
            [f for f in AuditEvent._meta.local_concrete_fields if not f.primary_key], [event]
        )
        compiler = insert.get_compiler(connection=connection)
        compiler.returning_fields = [AuditEvent._meta.pk]
        ((insert_sql, insert_params),) = compiler.as_sql()
        cursor.execute(
            f"WITH appended AS ({insert_sql}) "  # noqa: S608 - SQL built by Django's compiler
            f"UPDATE {head} SET last_hash = %s, updated_at = %s WHERE id = 1 RETURNING (SELECT id FROM appended)",
            [*insert_params, event.hash, timezone.now()],
        )
        event.pk = cursor.fetchone()[0]
    event._state.adding = False
    event._state.db = connection.alias
    return True


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
