"""Backup and restore of the platform (备份与恢复): the database and the files, with a manifest.

``yiwang backup DIR`` writes

* ``database.sqlite3`` (SQLite's online backup API: one consistent copy of a live database) or
  ``database.pgdump`` (``pg_dump --format=custom`` in the snapshot the table counts were taken in:
  a REPEATABLE READ transaction exports it and ``pg_dump --snapshot`` reads exactly that);
* ``files/``: everything under ``MEDIA_ROOT`` (application materials, documents, licences, seals'
  images), copied after the database, so every file the database names is there;
* ``manifest.json``: the row count of every table, the SM3 of the dump and of each file, the audit
  chain's head, signed with HMAC-SM3 under ``YIWANG_AUDIT_CHECKPOINT_KEY`` (outside the database).

``yiwang restore DIR`` checks the manifest's signature and every hash first, refuses a database or
a media directory that is not empty, loads, and then verifies the restored tables' counts, the
restored files' hashes and the audit chain (keyed links, and the head the manifest recorded).

The kernel enumerates tables through the database's own catalogue, so it imports no app.
"""

from __future__ import annotations

import hmac as std_hmac
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from yiwang.core.audit import verify_chain
from yiwang.core.crypto import hmac_sm3

FORMAT = "yiwang-backup/1"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(Exception):
    """The backup cannot be written or restored (before anything was changed)."""


@dataclass
class RestoreReport:
    ok: bool = True
    lines: list[str] = field(default_factory=list)

    def check(self, passed: bool, text: str) -> None:
        self.ok = self.ok and passed
        self.lines.append(("✓ " if passed else "✗ ") + text)


def sm3_file(path: Path) -> str:
    digest = hashes.Hash(hashes.SM3())
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.finalize().hex()


def _signed_bytes(manifest: dict[str, Any]) -> bytes:
    unsigned = {key: value for key, value in manifest.items() if key != "mac"}
    return json.dumps(unsigned, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sign_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    return {**manifest, "mac": hmac_sm3(settings.YIWANG_AUDIT_CHECKPOINT_KEY, _signed_bytes(manifest)).hex()}


def _media_files(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    conf = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(conf["NAME"])}
    for key, variable in (
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if conf.get(key):
            env[variable] = str(conf[key])
    if conf.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(conf["OPTIONS"]["sslmode"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[-2000:]}")


def _counts_and_head(cursor: Any, tables: list[str], quote: Any) -> tuple[dict[str, int], dict[str, Any]]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from the catalogue
        counts[table] = int(cursor.fetchone()[0])
    head: dict[str, Any] = {"sequence": 0, "hash": ""}
    if "core_auditchainhead" in tables:
        cursor.execute("SELECT last_sequence, last_hash FROM core_auditchainhead WHERE id = 1")
        row = cursor.fetchone()
        if row:
            head = {"sequence": int(row[0]), "hash": str(row[1])}
    return counts, head


def _dump_sqlite(connection: BaseDatabaseWrapper, target: Path) -> tuple[dict[str, int], dict[str, Any]]:
    source = sqlite3.connect(str(connection.settings_dict["NAME"]))
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)  # one step: a consistent image even while others write
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return _counts_and_head(copy.cursor(), tables, lambda name: '"' + name.replace('"', '""') + '"')
    finally:
        copy.close()
        source.close()


def _dump_postgresql(connection: BaseDatabaseWrapper, target: Path) -> tuple[dict[str, int], dict[str, Any]]:
    if connection.in_atomic_block:
        raise BackupError("备份须在事务之外运行")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = connection.introspection.table_names(cursor)
        counts, head = _counts_and_head(cursor, tables, connection.ops.quote_name)
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
        _run([*command, "--file", str(target)], _pg_environment(connection))
    return counts, head


def backup(destination: Path, *, using: str = "default", media_root: Path | None = None) -> dict[str, Any]:
    """Write a backup into ``destination`` (a new or empty directory); returns the manifest."""
    connection = connections[using]
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"不支持的数据库：{vendor}")
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"备份目录 {destination} 不是空目录")
    (destination / "files").mkdir(parents=True, exist_ok=True)
    dump = destination / DUMP_NAMES[vendor]
    started = datetime.now(UTC)
    connection.ensure_connection()
    counts, head = (_dump_sqlite if vendor == "sqlite" else _dump_postgresql)(connection, dump)
    media = Path(media_root or settings.MEDIA_ROOT)
    files = {}
    for path in _media_files(media):
        relative = path.relative_to(media).as_posix()
        copied = destination / "files" / relative
        copied.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copied)
        files[relative] = {"bytes": copied.stat().st_size, "sm3": sm3_file(copied)}
    manifest = sign_manifest(
        {
            "format": FORMAT,
            "created_at": started.isoformat(),
            "vendor": vendor,
            "database": {"file": dump.name, "bytes": dump.stat().st_size, "sm3": sm3_file(dump)},
            "tables": counts,
            "audit": head,
            "files": files,
        }
    )
    (destination / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8"
    )
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, its signature and every hash in the backup checked; raises :class:`BackupError`."""
    try:
        manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"无法读取备份清单 {source / 'manifest.json'}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"未知的备份格式：{manifest.get('format')!r}")
    expected = sign_manifest(manifest)["mac"]
    if not std_hmac.compare_digest(str(manifest.get("mac", "")), expected):
        raise BackupError("备份清单签名无效：清单被修改，或签名密钥（YIWANG_AUDIT_CHECKPOINT_KEY）不符")
    dump = source / manifest["database"]["file"]
    if not dump.is_file() or sm3_file(dump) != manifest["database"]["sm3"]:
        raise BackupError(f"数据库备份文件 {dump.name} 缺失或 SM3 不符（被篡改或损坏）")
    for relative, meta in manifest["files"].items():
        copied = source / "files" / relative
        if not copied.is_file() or sm3_file(copied) != meta["sm3"]:
            raise BackupError(f"备份中的文件 {relative} 缺失或 SM3 不符（被篡改或损坏）")
    return manifest


def _ensure_empty(connection: BaseDatabaseWrapper, media: Path) -> None:
    if connection.vendor == "sqlite" and not Path(str(connection.settings_dict["NAME"])).exists():
        pass
    else:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        if tables:
            raise BackupError(f"目标数据库不是空库（已有 {len(tables)} 张表）：只能恢复到空数据库")
    if media.exists() and any(media.iterdir()):
        raise BackupError(f"目标文件目录 {media} 不是空目录")


def restore(source: Path, *, using: str = "default", media_root: Path | None = None) -> RestoreReport:
    """Restore the backup in ``source`` into the empty database ``using`` and verify it."""
    manifest = read_manifest(source)
    connection = connections[using]
    if connection.vendor != manifest["vendor"]:
        raise BackupError(f"备份来自 {manifest['vendor']}，目标数据库是 {connection.vendor}")
    media = Path(media_root or settings.MEDIA_ROOT)
    _ensure_empty(connection, media)
    report = RestoreReport()
    report.check(
        True,
        f"清单签名与 {len(manifest['files']) + 1} 个文件的 SM3 校验通过（备份于 {manifest['created_at']}）",
    )
    dump = source / manifest["database"]["file"]
    if connection.vendor == "sqlite":
        connection.close()
        backup_copy, target = (
            sqlite3.connect(str(dump)),
            sqlite3.connect(str(connection.settings_dict["NAME"])),
        )
        try:
            backup_copy.backup(target)
        finally:
            target.close()
            backup_copy.close()
    else:
        command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        env = _pg_environment(connection)
        _run([*command, "--dbname", env["PGDATABASE"], str(dump)], env)
    for relative in manifest["files"]:
        restored = media / relative
        restored.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / "files" / relative, restored)
    verify_restored(manifest, using=using, media_root=media, report=report)
    return report


def verify_restored(
    manifest: dict[str, Any],
    *,
    using: str = "default",
    media_root: Path | None = None,
    report: RestoreReport | None = None,
) -> RestoreReport:
    """Compare a restored database and media directory with the manifest: counts, SM3, audit chain."""
    report = report or RestoreReport()
    connection = connections[using]
    media = Path(media_root or settings.MEDIA_ROOT)
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts, head = _counts_and_head(cursor, tables, connection.ops.quote_name)
    expected = manifest["tables"]
    wrong = sorted(t for t in set(expected) | set(counts) if expected.get(t) != counts.get(t))
    for table in wrong:
        report.check(
            False, f"表 {table}：清单 {expected.get(table, '无')} 行，恢复后 {counts.get(table, '无')} 行"
        )
    if not wrong:
        report.check(True, f"{len(counts)} 张表的行数与清单一致（共 {sum(counts.values())} 行）")
    bad_files = [
        relative
        for relative, meta in manifest["files"].items()
        if not (media / relative).is_file() or sm3_file(media / relative) != meta["sm3"]
    ]
    for relative in bad_files:
        report.check(False, f"文件 {relative} 恢复后 SM3 不符")
    if not bad_files:
        report.check(True, f"{len(manifest['files'])} 个文件已恢复，SM3 一致")
    chain = verify_chain(using=connection.alias)
    report.check(chain.ok, f"审计链：{'完整' if chain.ok else chain.reason}（{chain.checked} 条记录）")
    report.check(
        head == manifest["audit"],
        f"审计链尾 #{head['sequence']}，清单记录 #{manifest['audit']['sequence']}",
    )
    return report
