"""Package archives at rest (交换包加密存储): SM4-GCM under the platform's data key ring.

Whatever exchange keeps on disk — the archives of packages sent and received, and the spool of a
package still arriving — is encrypted with an SM4-GCM data key of :mod:`yiwang.core.keyring` (the DEK
is stored wrapped by the KEK, which is kept outside the database; a rotation leaves old files
readable because every file names its key).

**Archive file** (``ywx1``)::

    ywx1$s4$<key id>$<segment size>\\n     header (ASCII)
    segment 0, segment 1, …                 each nonce(12) ‖ ciphertext ‖ tag(16)

The plaintext is cut into segments of ``SEGMENT_BYTES`` (the last may be shorter), each sealed with
the associated data ``header ‖ package id ‖ segment index ‖ last?``, so a range (a chunk pushed, a
``Range`` pulled) decrypts only its segments, and segments cannot be swapped, cut off or moved
between packages unnoticed.

**Spool file** (``yws1``, a package being received): a header ``yws1$s4$<key id>\\n`` then one record
per chunk received, ``length(4, big endian) ‖ nonce ‖ ciphertext ‖ tag`` with the associated data
``header ‖ package id ‖ offset``.  A chunk is appended at the record boundary of ``received_bytes``
(what a crash left beyond it is cut off first).

Files written before encryption (a plain zip, starting ``PK``) are still read as they are (lazy
migration); ``manage.py exchange_encrypt_archives`` rewrites them encrypted.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from django.core.files.base import ContentFile

from yiwang.core.keyring import NONCE_BYTES, SM4_GCM, TAG_BYTES, gcm_decrypt, gcm_encrypt, keyring

SEGMENT_BYTES = 1024 * 1024
ARCHIVE_MAGIC = b"ywx1$"
SPOOL_MAGIC = b"yws1$"
ALGORITHM_TAG = "s4"
_MAX_HEADER = 64
_OVERHEAD = NONCE_BYTES + TAG_BYTES


class ArchiveIntegrityError(Exception):
    """A stored archive or spool file does not decrypt: changed on disk, or a wrong key."""


def _seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + gcm_encrypt(SM4_GCM, key, nonce, plaintext, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    try:
        return gcm_decrypt(SM4_GCM, key, sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise ArchiveIntegrityError("stored exchange data fails authentication") from exc


def _key_of(header: bytes, magic: bytes) -> bytes:
    parts = header.rstrip(b"\n").decode("ascii", "replace").split("$")
    if len(parts) < 3 or parts[1] != ALGORITHM_TAG or not header.startswith(magic):
        raise ArchiveIntegrityError("unknown exchange storage header")
    algorithm, key = keyring.key(parts[2])
    if algorithm != SM4_GCM:
        raise ArchiveIntegrityError(f"data key {parts[2]!r} is not an SM4-GCM key")
    return key


def _segment_aad(header: bytes, package_id: str, index: int, last: bool) -> bytes:
    return header + package_id.encode() + struct.pack(">Q?", index, last)


# --- archives ---------------------------------------------------------------------------------------
def encrypt_archive(data: bytes, package_id: str) -> bytes:
    """The stored form of an archive (see the module docstring)."""
    key_id, key = keyring.active_key(SM4_GCM)
    header = f"ywx1${ALGORITHM_TAG}${key_id}${SEGMENT_BYTES}\n".encode()
    count = max(1, -(-len(data) // SEGMENT_BYTES))
    parts = [header]
    for index in range(count):
        segment = data[index * SEGMENT_BYTES : (index + 1) * SEGMENT_BYTES]
        parts.append(_seal(key, segment, _segment_aad(header, package_id, index, index == count - 1)))
    return b"".join(parts)


def archive_content(data: bytes, package_id: str) -> ContentFile[bytes]:
    return ContentFile(encrypt_archive(data, package_id))


def is_encrypted(head: bytes) -> bool:
    return head.startswith(ARCHIVE_MAGIC)


def _read_header(handle: IO[bytes]) -> bytes:
    header = handle.readline(_MAX_HEADER)
    if not header.endswith(b"\n"):
        raise ArchiveIntegrityError("exchange archive header is damaged")
    return header


def read_archive_range(field: Any, package_id: str, size: int, start: int, length: int) -> bytes:
    """``length`` bytes of the plain archive from ``start`` (``field`` is the package's FileField)."""
    end = min(size, start + length)
    if start >= end:
        return b""
    with field.open("rb") as handle:
        head = handle.read(len(ARCHIVE_MAGIC))
        handle.seek(0)
        if not is_encrypted(head):  # stored before encryption: read as it is
            handle.seek(start)
            return handle.read(end - start)  # type: ignore[no-any-return]
        header = _read_header(handle)
        key = _key_of(header, ARCHIVE_MAGIC)
        segment = int(header.rstrip(b"\n").split(b"$")[3])
        count = max(1, -(-size // segment))
        first, last = start // segment, (end - 1) // segment
        handle.seek(len(header) + first * (segment + _OVERHEAD))
        out = []
        for index in range(first, last + 1):
            plain_len = min(segment, size - index * segment)
            sealed = handle.read(plain_len + _OVERHEAD)
            out.append(_open(key, sealed, _segment_aad(header, package_id, index, index == count - 1)))
        if last == count - 1 and handle.read(1):
            raise ArchiveIntegrityError("exchange archive has trailing data")
    data = b"".join(out)
    offset = start - first * segment
    return data[offset : offset + (end - start)]


def read_archive(field: Any, package_id: str, size: int) -> bytes:
    """The whole plain archive."""
    return read_archive_range(field, package_id, size, 0, size)


def encrypt_stored_archive(field: Any, package_id: str, size: int) -> bool:
    """Rewrite a plain archive stored before encryption (the migration); False if already encrypted."""
    with field.open("rb") as handle:
        head = handle.read(len(ARCHIVE_MAGIC))
    if is_encrypted(head):
        return False
    data = read_archive(field, package_id, size)
    name = field.name
    storage = field.storage
    storage.delete(name)
    saved = storage.save(name, archive_content(data, package_id))
    if saved != name:  # the storage chose another name: keep the row pointing at it
        field.name = saved
        field.instance.save(update_fields=[field.field.name])
    return True


# --- the spool of a package being received -----------------------------------------------------------
def _starts_with(path: Path, magic: bytes) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(magic)) == magic


def _records(handle: IO[bytes], header_len: int) -> Iterator[tuple[int, int, int]]:
    """(file position, plain offset, plain length) of every complete record."""
    position, offset = header_len, 0
    handle.seek(position)
    while True:
        raw = handle.read(4)
        if len(raw) < 4:
            return
        (length,) = struct.unpack(">I", raw)
        if handle.seek(position + 4 + length + _OVERHEAD) > os.fstat(handle.fileno()).st_size:
            return
        yield position, offset, length
        position += 4 + length + _OVERHEAD
        offset += length


def spool_write(path: Path, package_id: str, offset: int, data: bytes) -> None:
    """Append ``data`` (the chunk at plain ``offset``) to the spool, after cutting off anything beyond
    ``offset`` (a record a crash left uncommitted), and fsync it."""
    exists = path.exists() and path.stat().st_size > 0
    if exists and not _starts_with(path, SPOOL_MAGIC):  # a plain spool of before encryption
        earlier = path.read_bytes()[:offset]
        path.unlink()
        if earlier:
            spool_write(path, package_id, 0, earlier)
        exists = bool(earlier)
    with open(path, "r+b" if exists else "wb") as handle:
        if exists:
            header = _read_header(handle)
            key = _key_of(header, SPOOL_MAGIC)
            cut = len(header)
            for position, start, length in _records(handle, len(header)):
                if start + length > offset:
                    break
                cut = position + 4 + length + _OVERHEAD
        else:
            key_id, key = keyring.active_key(SM4_GCM)
            header = f"yws1${ALGORITHM_TAG}${key_id}\n".encode()
            handle.write(header)
            cut = len(header)
        handle.seek(cut)
        handle.truncate()
        sealed = _seal(key, data, header + package_id.encode() + struct.pack(">Q", offset))
        handle.write(struct.pack(">I", len(data)) + sealed)
        handle.flush()
        os.fsync(handle.fileno())


def spool_read(path: Path, package_id: str, limit: int) -> bytes:
    """The plain bytes received so far (at most ``limit``); ``b""`` when there is no spool."""
    if not path.exists() or path.stat().st_size == 0:
        return b""
    if not _starts_with(path, SPOOL_MAGIC):
        return path.read_bytes()[:limit]
    out = []
    with open(path, "rb") as handle:
        header = _read_header(handle)
        key = _key_of(header, SPOOL_MAGIC)
        for position, start, length in list(_records(handle, len(header))):
            if start >= limit:
                break
            handle.seek(position + 4)
            sealed = handle.read(length + _OVERHEAD)
            out.append(_open(key, sealed, header + package_id.encode() + struct.pack(">Q", start)))
    return b"".join(out)[:limit]
