"""Archives and spool files at rest are SM4-GCM encrypted: not the plain zip on disk, the same bytes
read back (whole and by range), a changed byte refused, plain files of before readable and migrated."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from yiwang.exchange import storage
from yiwang.exchange.identity import acting_as
from yiwang.exchange.models import OutgoingPackage
from yiwang.exchange.package import open_archive
from yiwang.exchange.services import build_package
from yiwang.exchange.signing import node_verifies
from yiwang.exchange.storage import ArchiveIntegrityError, read_archive, read_archive_range
from yiwang.exchange.tests.factories import node_row

pytestmark = pytest.mark.django_db

SECRET_ROW = "340104199001011234,张三".encode()


@pytest.fixture
def built(province: Any, city: Any, monkeypatch: Any) -> OutgoingPackage:
    monkeypatch.setattr(storage, "SEGMENT_BYTES", 1000)  # several segments for a small package
    node_row(province)
    city_node = node_row(city)
    with acting_as(province):
        return build_package(
            "test.feed", city_node, {"rows.json": SECRET_ROW * 50, "noise.bin": os.urandom(3000)}
        )


def _at_rest(package: OutgoingPackage) -> bytes:
    with package.archive.open("rb") as handle:
        return handle.read()  # type: ignore[no-any-return]


def test_the_stored_archive_is_not_the_plain_zip_and_reads_back_whole(built, province):
    raw = _at_rest(built)
    assert raw.startswith(b"ywx1$s4$") and not raw.startswith(b"PK")
    assert SECRET_ROW not in raw and b"manifest.json" not in raw
    plain = read_archive(built.archive, str(built.public_id), built.size)
    assert plain.startswith(b"PK") and len(plain) == built.size
    province_node = node_row(province)
    checked = open_archive(plain, lambda sig, body: node_verifies(province_node, sig, body))
    assert checked.entries["rows.json"] == SECRET_ROW * 50


def test_ranges_across_segments_read_the_same_bytes(built):
    plain = read_archive(built.archive, str(built.public_id), built.size)
    for start, length in [(0, 1), (999, 2), (1000, 1000), (1500, 2600), (built.size - 3, 100)]:
        got = read_archive_range(built.archive, str(built.public_id), built.size, start, length)
        assert got == plain[start : start + length]


def test_a_byte_changed_at_rest_or_another_package_id_fails_authentication(built):
    raw = bytearray(_at_rest(built))
    with pytest.raises(ArchiveIntegrityError):
        read_archive(built.archive, "00000000-0000-0000-0000-000000000000", built.size)
    raw[-5] ^= 1
    name = built.archive.name
    built.archive.storage.delete(name)
    built.archive.storage.save(name, ContentFile(bytes(raw)))
    with pytest.raises(ArchiveIntegrityError):
        read_archive(built.archive, str(built.public_id), built.size)


def test_the_spool_is_encrypted_and_resumes_after_an_uncommitted_chunk(tmp_path: Path):
    path = tmp_path / "p.part"
    data = SECRET_ROW * 40
    storage.spool_write(path, "pkg", 0, data[:300])
    storage.spool_write(path, "pkg", 300, data[300:700])
    storage.spool_write(path, "pkg", 700, b"x" * 50)  # written, then the process died before committing
    storage.spool_write(path, "pkg", 700, data[700:])  # the sender resumes at received_bytes = 700
    assert SECRET_ROW not in path.read_bytes() and path.read_bytes().startswith(b"yws1$s4$")
    assert storage.spool_read(path, "pkg", len(data)) == data
    with pytest.raises(ArchiveIntegrityError):
        storage.spool_read(path, "other", len(data))


def test_plain_archives_of_before_are_read_and_then_encrypted_by_the_command(built):
    plain = read_archive(built.archive, str(built.public_id), built.size)
    name = built.archive.name
    built.archive.storage.delete(name)
    built.archive.storage.save(name, ContentFile(plain))
    assert _at_rest(built).startswith(b"PK")
    assert read_archive(built.archive, str(built.public_id), built.size) == plain  # lazy: read as it is
    call_command("exchange_encrypt_archives", stdout=io.StringIO())
    built.refresh_from_db()
    assert _at_rest(built).startswith(b"ywx1$")
    assert read_archive(built.archive, str(built.public_id), built.size) == plain
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        assert archive.read("entries/rows.json") == SECRET_ROW * 50
    out = io.StringIO()
    call_command("exchange_encrypt_archives", stdout=out)  # idempotent
    assert "0 archive" in out.getvalue()
