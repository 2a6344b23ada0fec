"""Signed checkpoints of the audit chain's head, kept outside the database (审计链检查点).

The keyed chain stops anyone without ``YIWANG_AUDIT_KEY`` from rewriting records unnoticed, but the
database's owner can still cut the trail short (delete the last rows and move the head back) and
leave a shorter, valid chain.  So every few minutes ``yiwang audit_checkpoint`` (a scheduled job)
verifies the records added since the last checkpoint and appends the head — sequence, hash, time —
MAC'd with HMAC-SM3 under a separate key (``YIWANG_AUDIT_CHECKPOINT_KEY``) as one JSON line to
``YIWANG_AUDIT_CHECKPOINT_FILE`` (opened ``O_APPEND``; make it append-only with ``chattr +a``) and,
if configured, to a syslog sink on another machine.  ``verify_audit`` then checks the chain against
every checkpoint: a trail that ends before the last checkpoint, or a record whose hash differs from
the one signed, fails.
"""

from __future__ import annotations

import hmac as std_hmac
import json
import logging
import logging.handlers
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from yiwang.core.audit import ChainReport, verify_chain
from yiwang.core.crypto import hmac_sm3
from yiwang.core.models import AuditEvent

logger = logging.getLogger("yiwang.audit")


class CheckpointError(Exception):
    """The checkpoint file is unreadable or a line's signature does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    hash: str
    at: str
    first: str = ""  # the hash of record #1: which trail (which database) this checkpoint is of

    def fields(self) -> dict[str, object]:
        return {"sequence": self.sequence, "hash": self.hash, "at": self.at, "first": self.first}

    def signed_part(self) -> bytes:
        return json.dumps(self.fields(), sort_keys=True, separators=(",", ":")).encode()

    def mac(self, key: bytes | None = None) -> str:
        return hmac_sm3(
            key if key is not None else settings.YIWANG_AUDIT_CHECKPOINT_KEY, self.signed_part()
        ).hex()

    def line(self) -> str:
        return json.dumps({**self.fields(), "mac": self.mac()}, sort_keys=True, separators=(",", ":"))


def checkpoint_path() -> Path | None:
    configured = settings.YIWANG_AUDIT_CHECKPOINT_FILE
    return Path(configured) if configured else None


def read_checkpoints(path: Path | None = None) -> list[Checkpoint]:
    """Every checkpoint in the file, each signature checked; a bad line raises :class:`CheckpointError`."""
    path = path or checkpoint_path()
    if path is None or not path.exists():
        return []
    checkpoints: list[Checkpoint] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
            checkpoint = Checkpoint(
                int(data["sequence"]), str(data["hash"]), str(data["at"]), str(data.get("first", ""))
            )
            mac = str(data["mac"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"检查点文件 {path} 第 {number} 行无法解析") from exc
        if not std_hmac.compare_digest(mac, checkpoint.mac()):
            raise CheckpointError(f"检查点文件 {path} 第 {number} 行签名无效（检查点被伪造或密钥不符）")
        if checkpoints and checkpoint.sequence < checkpoints[-1].sequence:
            raise CheckpointError(
                f"检查点文件 {path} 第 {number} 行的序号 #{checkpoint.sequence} 小于前一检查点 "
                f"#{checkpoints[-1].sequence}（审计链曾被回退）"
            )
        checkpoints.append(checkpoint)
    return checkpoints


def verify_with_checkpoints(batch_size: int = 5000) -> tuple[ChainReport, list[Checkpoint]]:
    """The whole chain checked against every signed checkpoint (``verify_audit``)."""
    checkpoints = read_checkpoints()
    report = verify_chain(batch_size, checkpoints={c.sequence: c.hash for c in checkpoints})
    return report, checkpoints


def verify_trail(batch_size: int = 5000) -> ChainReport:
    """:func:`verify_with_checkpoints` as one report: an invalid checkpoint file is a failure too."""
    try:
        return verify_with_checkpoints(batch_size)[0]
    except CheckpointError as exc:
        return ChainReport(False, 0, None, f"审计检查点无效：{exc}")


def write_checkpoint(now: datetime | None = None) -> Checkpoint | None:
    """Verify what was appended since the last checkpoint and append the head; ``None`` if unchanged.

    Raises :class:`CheckpointError` (and writes nothing) when the chain does not verify: a
    checkpoint must never bless a tampered trail.
    """
    path = checkpoint_path()
    if path is None:
        raise CheckpointError("未配置 YIWANG_AUDIT_CHECKPOINT_FILE")
    previous = read_checkpoints(path)
    last = previous[-1] if previous else None
    first = AuditEvent.objects.filter(sequence=1).values_list("hash", flat=True).first() or ""
    if last is not None and last.first != first and settings.PROFILE == "demo":
        # The demo's database was recreated: its old checkpoints are of another trail.  Only the
        # demo profile puts them aside; anywhere else a different first record is tampering.
        aside = path.with_name(f"{path.name}.replaced-{timezone.now():%Y%m%d%H%M%S}")
        path.rename(aside)
        logger.warning("audit checkpoints of an earlier demo database moved to %s", aside)
        last = None
    since = (last.sequence, last.hash) if last else None
    report = verify_chain(since=since, checkpoints={last.sequence: last.hash} if last else None)
    if not report.ok:
        raise CheckpointError(f"审计链校验未通过，未写入检查点：{report.reason}")
    if last is not None and report.last_sequence == last.sequence:
        return None
    if report.last_sequence == 0:
        return None  # nothing recorded yet
    moment = (now or timezone.now()).astimezone(UTC).isoformat()
    checkpoint = Checkpoint(report.last_sequence, report.last_hash, moment, first)
    line = checkpoint.line() + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    _send_to_syslog(line.strip())
    return checkpoint


def _send_to_syslog(line: str) -> None:
    target = settings.YIWANG_AUDIT_CHECKPOINT_SYSLOG
    if not target:
        return
    address: str | tuple[str, int]
    if target.startswith("/"):
        address = target
    else:
        host, _, port = target.rpartition(":")
        address = (host or target, int(port) if host else 514)
    handler = logging.handlers.SysLogHandler(
        address=address, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV
    )
    try:
        handler.emit(
            logging.makeLogRecord({"msg": f"yiwang-audit-checkpoint {line}", "levelno": logging.INFO})
        )
    finally:
        handler.close()
