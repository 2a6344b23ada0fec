"""审计防篡改: the keyed chain (HMAC-SM3), the database's refusal to change audit rows, and the
signed checkpoints outside the database that catch a trail cut short or rewritten by its owner."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from gmssl import func, sm3

from yiwang.core import audit
from yiwang.core.audit_checkpoints import CheckpointError, read_checkpoints, write_checkpoint
from yiwang.core.crypto import hmac_sm3, sm3_hex
from yiwang.core.models import AuditChainHead, AuditEvent
from yiwang.core.scheduler import JOBS
from yiwang.testing.audit import audit_triggers_disabled, maintenance_off


def _gmssl_sm3(data: bytes) -> bytes:
    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(data)))


def _hmac_by_hand(key: bytes, message: bytes) -> bytes:
    """RFC 2104 written out over gmssl's SM3 (block 64 bytes), independent of ``cryptography``."""
    if len(key) > 64:
        key = _gmssl_sm3(key)
    key = key.ljust(64, b"\0")
    inner = _gmssl_sm3(bytes(b ^ 0x36 for b in key) + message)
    return _gmssl_sm3(bytes(b ^ 0x5C for b in key) + inner)


@pytest.mark.parametrize("key", [b"k", b"yiwang-audit" * 3, bytes(range(64)), b"\xa5" * 100])
def test_hmac_sm3_matches_an_independent_construction(key: bytes) -> None:
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert _gmssl_sm3(b"abc").hex() == sm3_hex(b"abc")
    for message in (b"", b"abc", "审计日志".encode() * 40):
        assert hmac_sm3(key, message) == _hmac_by_hand(key, message)


def _events(n: int = 3) -> list[AuditEvent]:
    return [
        audit.record(f"test.action{i}", object_type="test", object_id=str(i), detail={"n": i})
        for i in range(1, n + 1)
    ]


def _verify_error() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", stdout=StringIO())
    assert caught.value.returncode == 1
    return str(caught.value)


# --- the keyed chain ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_new_records_are_linked_with_hmac_sm3_under_the_key_outside_the_database(settings: Any) -> None:
    first, second = _events(2)
    assert first.hash_version == audit.KEYED_VERSION
    assert (
        second.hash
        == hmac_sm3(settings.YIWANG_AUDIT_KEY, first.hash.encode() + audit._canonical(second)).hex()
    )
    assert audit.verify_chain().ok
    settings.YIWANG_AUDIT_KEY = b"another-key-another-key-another-key"
    report = audit.verify_chain()
    assert not report.ok and report.first_bad_sequence == 1 and "密钥" in report.reason


@pytest.mark.django_db
def test_rewriting_without_the_key_is_detected() -> None:
    """Change a record and recompute every hash after it — with SHA-256 (the old, unkeyed way) or
    a guessed key: the chain no longer verifies under the real key."""
    _events(4)
    with audit_triggers_disabled():
        prev = AuditEvent.objects.get(sequence=1).hash
        for event in AuditEvent.objects.filter(sequence__gte=2).order_by("sequence"):
            if event.sequence == 2:
                event.detail = {"n": 99}
            event.prev_hash = prev
            event.hash = audit.compute_hash(prev, event, key=b"guessed-key")
            AuditEvent.objects.filter(pk=event.pk).update(
                detail=event.detail, prev_hash=prev, hash=event.hash
            )
            prev = event.hash
        AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    message = _verify_error()
    assert "#2" in message and "篡改" in message

    # Downgrading the rewritten rows to the unkeyed SHA-256 of before does not help either.
    with audit_triggers_disabled():
        prev = AuditEvent.objects.get(sequence=1).hash
        for event in AuditEvent.objects.filter(sequence__gte=2).order_by("sequence"):
            event.hash_version = audit.LEGACY_VERSION
            event.prev_hash, event.hash = prev, audit.compute_hash(prev, event)
            AuditEvent.objects.filter(pk=event.pk).update(hash_version=1, prev_hash=prev, hash=event.hash)
            prev = event.hash
    assert "旧版无密钥哈希" in _verify_error()


@pytest.mark.django_db
def test_records_from_before_the_key_still_verify() -> None:
    """Rows written before the migration keep their SHA-256 link (hash_version 1) and verify."""
    events = _events(3)
    with audit_triggers_disabled():
        prev = audit.GENESIS_HASH
        for event in events[:2]:
            event.hash_version = audit.LEGACY_VERSION
            event.prev_hash = prev
            event.hash = hashlib.sha256(prev.encode() + audit._canonical(event)).hexdigest()
            AuditEvent.objects.filter(pk=event.pk).update(hash_version=1, prev_hash=prev, hash=event.hash)
            prev = event.hash
        third = events[2]
        third.prev_hash, third.hash = prev, audit.compute_hash(prev, third)
        AuditEvent.objects.filter(pk=third.pk).update(prev_hash=prev, hash=third.hash)
        AuditChainHead.objects.filter(pk=1).update(last_hash=third.hash)
    report = audit.verify_chain()
    assert report.ok and report.legacy == 2
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "2 条为启用密钥前的旧记录" in out.getvalue()


# --- the database refuses ---------------------------------------------------------------------------


def _refused(sql: str, params: list[Any] | None = None) -> None:
    refusal = r"append-only|never moves back|refused"
    with pytest.raises(DatabaseError, match=refusal), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.mark.django_db
def test_the_database_refuses_update_and_delete_of_audit_rows() -> None:
    _events(2)
    with maintenance_off():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(sequence=1).update(action="test.forged")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(sequence=2).delete()
        _refused("UPDATE core_auditevent SET detail = %s WHERE sequence = 1", ['{"n": 9}'])
        _refused("DELETE FROM core_auditevent WHERE sequence = 2")
        _refused("DELETE FROM core_auditevent")
        # The head never moves back and is never deleted.
        _refused("UPDATE core_auditchainhead SET last_sequence = 1")
        _refused("DELETE FROM core_auditchainhead")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # TRUNCATE waits for no deferred foreign-key check
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            _refused("TRUNCATE core_auditevent CASCADE")
            _refused("TRUNCATE core_auditchainhead")
    # Even the test runner's maintenance session (which may empty tables) may never update a row.
    _refused("UPDATE core_auditevent SET action = 'x' WHERE sequence = 1")
    assert AuditEvent.objects.count() == 2
    assert audit.verify_chain().ok
    audit.record("test.after")  # appending still works
    assert audit.verify_chain().checked == 3


# --- signed checkpoints outside the database --------------------------------------------------------


@pytest.fixture
def checkpoint_file(settings: Any, tmp_path: Path) -> Path:
    settings.YIWANG_AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.jsonl")
    return tmp_path / "audit-checkpoints.jsonl"


def _cut_short(keep: int) -> None:
    """Delete the last records and move the head back, as the database's owner could."""
    with audit_triggers_disabled():
        kept = AuditEvent.objects.get(sequence=keep)
        AuditEvent.objects.filter(sequence__gt=keep).delete()
        AuditChainHead.objects.filter(pk=1).update(last_sequence=keep, last_hash=kept.hash)


@pytest.mark.django_db
def test_checkpoints_are_appended_signed_and_only_when_the_head_moved(checkpoint_file: Path) -> None:
    assert write_checkpoint() is None  # nothing recorded yet
    _events(3)
    first = write_checkpoint()
    assert first is not None and first.sequence == 3
    assert write_checkpoint() is None  # unchanged head: no new line
    _events(2)
    call_command("audit_checkpoint", stdout=StringIO())
    lines = [json.loads(line) for line in checkpoint_file.read_text().splitlines()]
    assert [line["sequence"] for line in lines] == [3, 5]
    assert lines[1]["hash"] == AuditEvent.objects.get(sequence=5).hash and len(lines[1]["mac"]) == 64
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "与 2 个签名检查点一致" in out.getvalue()
    assert "audit_checkpoint" in {job.name for job in JOBS}


@pytest.mark.django_db
def test_a_trail_cut_short_is_detected_against_the_last_checkpoint(checkpoint_file: Path) -> None:
    _events(5)
    write_checkpoint()
    _cut_short(3)
    assert audit.verify_chain().ok  # the shortened chain is valid on its own …
    message = _verify_error()  # … but not against the checkpoint signed outside the database
    assert "截断" in message and "#5" in message and "#3" in message
    with pytest.raises(CommandError, match="未写入检查点"):
        call_command("audit_checkpoint", stdout=StringIO())  # and the job refuses to bless it


@pytest.mark.django_db
def test_a_rewrite_with_the_chain_key_is_still_caught_by_the_checkpoint(checkpoint_file: Path) -> None:
    """Even someone who stole the chain key (but not the checkpoint key) cannot rewrite the past."""
    _events(4)
    write_checkpoint()
    with audit_triggers_disabled():
        prev = AuditEvent.objects.get(sequence=1).hash
        for event in AuditEvent.objects.filter(sequence__gte=2).order_by("sequence"):
            if event.sequence == 2:
                event.detail = {"n": 99}
            event.prev_hash, event.hash = prev, audit.compute_hash(prev, event)
            AuditEvent.objects.filter(pk=event.pk).update(
                detail=event.detail, prev_hash=prev, hash=event.hash
            )
            prev = event.hash
        AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    assert audit.verify_chain().ok
    message = _verify_error()
    assert "#4" in message and "检查点不一致" in message


@pytest.mark.django_db
def test_a_forged_or_reordered_checkpoint_file_is_refused(checkpoint_file: Path) -> None:
    _events(3)
    write_checkpoint()
    line = json.loads(checkpoint_file.read_text())
    forged = {**line, "sequence": 2, "hash": AuditEvent.objects.get(sequence=2).hash}
    checkpoint_file.write_text(json.dumps(forged) + "\n")
    with pytest.raises(CheckpointError, match="签名无效"):
        read_checkpoints()
    assert "签名无效" in _verify_error()
    checkpoint_file.write_text(json.dumps(line) + "\n")
    _events(1)
    write_checkpoint()
    lines = checkpoint_file.read_text().splitlines()
    checkpoint_file.write_text("\n".join(reversed(lines)) + "\n")
    with pytest.raises(CheckpointError, match="回退"):
        read_checkpoints()


@pytest.mark.django_db
def test_only_the_demo_puts_aside_checkpoints_of_an_earlier_database(
    settings: Any, checkpoint_file: Path
) -> None:
    _events(2)
    write_checkpoint()
    with audit_triggers_disabled():  # a different trail: the database was recreated (or replaced)
        AuditEvent.objects.all().delete()
        AuditChainHead.objects.all().delete()
    _events(3)
    with pytest.raises(CheckpointError):
        write_checkpoint()  # test and production profiles: a replaced trail is tampering
    settings.PROFILE = "demo"
    checkpoint = write_checkpoint()
    assert checkpoint is not None and checkpoint.sequence == 3
    assert [c.sequence for c in read_checkpoints()] == [3]
    assert len(list(checkpoint_file.parent.glob("audit-checkpoints.jsonl.replaced-*"))) == 1


@pytest.mark.django_db
def test_the_auditors_check_uses_the_checkpoints_too(checkpoint_file: Path) -> None:
    """The workbench's 审计链校验 (accounts.services.staff.verify_audit_chain) calls verify_trail."""
    from yiwang.core.audit_checkpoints import verify_trail

    _events(4)
    write_checkpoint()
    assert verify_trail().ok
    _cut_short(2)
    report = verify_trail()
    assert not report.ok and "截断" in report.reason
    checkpoint_file.write_text(checkpoint_file.read_text().replace('"sequence":4', '"sequence":2'))
    assert "签名无效" in verify_trail().reason
