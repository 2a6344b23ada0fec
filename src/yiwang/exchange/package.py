"""The package format (交换包格式): a zip holding ``manifest.json`` (canonical JSON), ``manifest.sig``
(the sender's signature of exactly those bytes) and ``entries/<name>`` for every entry the manifest
lists with its size, SHA-256 and SM3.  Building and checking it are pure functions (no database)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import DomainError
from yiwang.exchange.errors import ExchangeErrorCode
from yiwang.exchange.signing import canonical_json

FORMAT = "yiwang-exchange/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
ENTRY_PREFIX = "entries/"
ENTRY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9][A-Za-z0-9._-]{0,99}){0,4}$")
KIND = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
MANIFEST_KEYS = {"format", "package_id", "sender", "receiver", "kind", "sequence", "created_at", "entries"}
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class CheckedPackage:
    manifest: dict[str, Any]
    manifest_bytes: bytes
    entries: dict[str, bytes]


def refuse(code: ExchangeErrorCode, message: str, **fields: Any) -> DomainError:
    return DomainError(code, message, fields, status=422)


def check_entry_name(name: str) -> None:
    if not ENTRY_NAME.match(name) or ".." in name:
        raise DomainError(
            ExchangeErrorCode.INVALID_ENTRY, f"条目名称不合法：{name[:60]}", {"entries": [name[:60]]}
        )


def entry_record(name: str, content: bytes) -> dict[str, Any]:
    return {
        "name": name,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "sm3": sm3_hex(content),
    }


def build_manifest(
    *,
    package_id: str,
    sender: str,
    receiver: str,
    kind: str,
    sequence: int,
    created_at: str,
    entries: Mapping[str, bytes],
) -> dict[str, Any]:
    for name in entries:
        check_entry_name(name)
    return {
        "format": FORMAT,
        "package_id": package_id,
        "sender": sender,
        "receiver": receiver,
        "kind": kind,
        "sequence": sequence,
        "created_at": created_at,
        "entries": [entry_record(name, entries[name]) for name in sorted(entries)],
    }


def build_signed(
    *,
    sign: Callable[[bytes], str],
    package_id: str,
    sender: str,
    receiver: str,
    kind: str,
    sequence: int,
    created_at: str,
    entries: Mapping[str, bytes],
) -> bytes:
    """The archive of a package: its manifest, ``sign(manifest bytes)`` and the entries."""
    manifest = build_manifest(
        package_id=package_id,
        sender=sender,
        receiver=receiver,
        kind=kind,
        sequence=sequence,
        created_at=created_at,
        entries=entries,
    )
    return build_archive(manifest, sign(canonical_json(manifest)), entries)


def build_archive(manifest: dict[str, Any], signature: str, entries: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, canonical_json(manifest))
        archive.writestr(SIGNATURE, signature)
        for name in sorted(entries):
            archive.writestr(ENTRY_PREFIX + name, entries[name])
    return buffer.getvalue()


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise refuse(
            ExchangeErrorCode.ENTRY_MISMATCH, f"条目大小与清单不符：{info.filename}", entry=info.filename
        )
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise refuse(
            ExchangeErrorCode.ENTRY_MISMATCH, f"条目大小与清单不符：{info.filename}", entry=info.filename
        )
    return data


def _check_manifest_shape(manifest: Any) -> None:
    if not isinstance(manifest, dict) or set(manifest) != MANIFEST_KEYS or manifest.get("format") != FORMAT:
        raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "清单字段不完整或格式版本不符")
    if not isinstance(manifest["sequence"], int) or manifest["sequence"] < 1:
        raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "清单序号不合法")
    if not isinstance(manifest["kind"], str) or not KIND.match(manifest["kind"]):
        raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "清单类别不合法")
    entries = manifest["entries"]
    if not isinstance(entries, list) or len(entries) > MAX_ENTRIES:
        raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "清单条目不合法")
    names = set()
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"name", "size", "sha256", "sm3"}:
            raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "清单条目字段不完整")
        if (
            not isinstance(entry["name"], str)
            or not ENTRY_NAME.match(entry["name"])
            or entry["name"] in names
        ):
            raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "清单条目名称不合法或重复")
        if not isinstance(entry["size"], int) or entry["size"] < 0:
            raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "清单条目大小不合法")
        names.add(entry["name"])


def open_archive(data: bytes, verify: Any) -> CheckedPackage:
    """Check a received archive: the manifest's shape and canonical form, its signature (``verify(
    signature, manifest_bytes) -> bool``), every entry present with its size, SHA-256 and SM3, and no
    file the manifest does not list.  Any failure raises a 422 ``DomainError``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = {info.filename: info for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "交换包不是有效的归档文件") from exc
    with archive:
        if MANIFEST not in infos or SIGNATURE not in infos:
            raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "交换包缺少清单或签名")
        try:
            manifest_bytes = _read(archive, infos[MANIFEST], 16 * 1024 * 1024)
            signature = _read(archive, infos[SIGNATURE], 1024).decode("ascii")
            manifest = json.loads(manifest_bytes)
        except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "清单不是有效的 JSON") from exc
        _check_manifest_shape(manifest)
        if canonical_json(manifest) != manifest_bytes:
            raise refuse(ExchangeErrorCode.MALFORMED_PACKAGE, "清单不是规范 JSON 形式")
        if not verify(signature, manifest_bytes):
            raise refuse(ExchangeErrorCode.BAD_SIGNATURE, "清单签名验证失败")
        listed = {ENTRY_PREFIX + entry["name"] for entry in manifest["entries"]}
        extra = set(infos) - listed - {MANIFEST, SIGNATURE}
        if extra:
            raise refuse(
                ExchangeErrorCode.MALFORMED_PACKAGE, "交换包含有清单未列出的文件", extra=sorted(extra)[:10]
            )
        entries: dict[str, bytes] = {}
        for entry in manifest["entries"]:
            info = infos.get(ENTRY_PREFIX + entry["name"])
            if info is None:
                raise refuse(
                    ExchangeErrorCode.MISSING_ENTRY, f"缺少条目：{entry['name']}", entry=entry["name"]
                )
            try:
                content = _read(archive, info, entry["size"])
            except (zipfile.BadZipFile, OSError) as exc:  # a CRC error: the bytes were changed
                raise refuse(
                    ExchangeErrorCode.ENTRY_MISMATCH, f"条目已损坏：{entry['name']}", entry=entry["name"]
                ) from exc
            if entry_record(entry["name"], content) != entry:
                raise refuse(
                    ExchangeErrorCode.ENTRY_MISMATCH,
                    f"条目摘要与清单不符：{entry['name']}",
                    entry=entry["name"],
                )
            entries[entry["name"]] = content
    return CheckedPackage(manifest, manifest_bytes, entries)
