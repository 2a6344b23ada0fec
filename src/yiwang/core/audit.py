"""Tamper-evident audit trail (审计日志, 全程留痕).

Every record carries HMAC-SM3(key, hash of the previous record + its own canonical content), the
key (``YIWANG_AUDIT_KEY``) held outside the database, so editing, inserting or deleting any row
breaks the chain from that point and nobody without the key can recompute it; :func:`verify_chain`
finds where.  Rows written before the chain was keyed keep their SHA-256 link (``hash_version`` 1).
The database refuses to change rows (``audit_guard``), and signed checkpoints of the head written
outside it (``audit_checkpoints``) reveal a trail cut short or rewritten by its owner.
Appends lock the single :class:`AuditChainHead` row so two writers can never fork the chain (on
PostgreSQL in two statements, so that the lock every audited transaction shares is held briefly).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql import InsertQuery
from django.utils import timezone

from yiwang.core import request_context
from yiwang.core.crypto import hmac_sm3
from yiwang.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
LEGACY_VERSION = 1  # SHA-256, unkeyed (rows written before issue #19)
KEYED_VERSION = 2  # HMAC-SM3 under YIWANG_AUDIT_KEY


def _canonical(event: AuditEvent) -> bytes:
    payload: dict[str, Any] = {
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
    if event.hash_version != LEGACY_VERSION:
        payload["hash_version"] = event.hash_version
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


def compute_hash(prev_hash: str, event: AuditEvent, key: bytes | None = None) -> str:
    """The link of ``event``: keyed (HMAC-SM3) for version 2, SHA-256 for legacy version 1 rows."""
    message = prev_hash.encode() + _canonical(event)
    if event.hash_version == LEGACY_VERSION:
        return hashlib.sha256(message).hexdigest()
    if event.hash_version != KEYED_VERSION:
        raise ValueError(f"unknown audit hash version {event.hash_version}")
    return hmac_sm3(key if key is not None else settings.YIWANG_AUDIT_KEY, message).hex()


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
    legacy: int = 0  # rows still linked by the unkeyed SHA-256 of before
    last_hash: str = GENESIS_HASH
    last_sequence: int = 0


class _Walk:
    """The state of one walk along the chain: where it is and what it has seen."""

    def __init__(self, prev_hash: str, expected_sequence: int, checkpoints: Mapping[int, str]) -> None:
        self.prev_hash, self.expected, self.checkpoints = prev_hash, expected_sequence, checkpoints
        self.checked = self.legacy = 0
        self.keyed_seen = False

    @property
    def last(self) -> int:
        return self.expected - 1

    def fail(self, sequence: int, reason: str) -> ChainReport:
        return ChainReport(False, self.checked, sequence, reason, legacy=self.legacy)

    def feed(self, event: AuditEvent) -> ChainReport | None:
        sequence = event.sequence
        if sequence != self.expected:
            return self.fail(self.expected, f"记录 #{self.expected} 缺失（序号不连续）")
        if event.prev_hash != self.prev_hash:
            return self.fail(sequence, f"记录 #{sequence} 的前序哈希不匹配")
        if event.hash_version == LEGACY_VERSION:
            if self.keyed_seen:
                return self.fail(sequence, f"记录 #{sequence} 在加密钥记录之后使用了旧版无密钥哈希（伪造）")
            self.legacy += 1
        else:
            self.keyed_seen = True
        try:
            expected_hash = compute_hash(self.prev_hash, event)
        except ValueError:
            expected_hash = ""
        if expected_hash != event.hash:
            return self.fail(sequence, f"记录 #{sequence} 的内容被篡改（密钥校验不通过）")
        if sequence in self.checkpoints and self.checkpoints[sequence] != event.hash:
            return self.fail(sequence, f"记录 #{sequence} 与已签名检查点不一致（链被改写）")
        self.prev_hash = event.hash
        self.expected += 1
        self.checked += 1
        return None


def verify_chain(
    batch_size: int = 5000,
    *,
    checkpoints: Mapping[int, str] | None = None,
    since: tuple[int, str] | None = None,
    using: str | None = None,
) -> ChainReport:
    """Walk the trail and report the first record whose link or content does not match.

    ``checkpoints`` maps sequences to the hashes signed outside the database: a row that differs
    (rewritten) or a trail that ends before the last one (cut short) fails.  ``since`` = a trusted
    (sequence, hash) to start after instead of the genesis (the checkpoint job's incremental walk).
    Records appended while it walks are followed up to the head read at the end, so a busy system
    does not look cut short.
    """
    checkpoints = checkpoints or {}
    events = AuditEvent.objects.using(using) if using else AuditEvent.objects
    walk = _Walk(GENESIS_HASH, 1, checkpoints)
    if since is not None and since[0] > 0:
        anchor = events.filter(sequence=since[0]).values_list("hash", flat=True).first()
        if anchor != since[1]:
            return walk.fail(since[0], f"记录 #{since[0]} 与已签名检查点不一致（被改写或删除）")
        walk.prev_hash, walk.expected = since[1], since[0] + 1
    for event in (
        events.filter(sequence__gte=walk.expected).order_by("sequence").iterator(chunk_size=batch_size)
    ):
        if failure := walk.feed(event):
            return failure
    head = (AuditChainHead.objects.using(using) if using else AuditChainHead.objects).filter(pk=1).first()
    if head is not None and head.last_sequence > walk.last:  # appended while we walked?
        more = events.filter(sequence__gte=walk.expected, sequence__lte=head.last_sequence)
        for event in more.order_by("sequence").iterator(chunk_size=batch_size):
            if failure := walk.feed(event):
                return failure
    if checkpoints and max(checkpoints) > walk.last:
        return walk.fail(
            walk.last + 1,
            f"审计链被截断：已签名检查点记录至 #{max(checkpoints)}，数据库仅有至 #{walk.last} 的记录",
        )
    if head is not None and head.last_sequence != walk.last:
        return walk.fail(walk.last + 1, f"链尾记录缺失：应有 {head.last_sequence} 条，实有 {walk.last} 条")
    return ChainReport(
        True, walk.checked, legacy=walk.legacy, last_hash=walk.prev_hash, last_sequence=walk.last
    )
