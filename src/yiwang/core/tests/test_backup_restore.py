"""备份与恢复: ``yiwang backup`` / ``yiwang restore`` round trip on the database the suite runs on
(SQLite and PostgreSQL in ``make test``), and a tampered backup is refused."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from yiwang.cases.models import Case
from yiwang.core import audit
from yiwang.core.backup import BackupError, read_manifest, restore, sign_manifest, verify_restored
from yiwang.core.models import AuditEvent
from yiwang.testing import portal as factories

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database beside the test database, reachable as the alias ``restored``."""
    conf = copy.deepcopy(connections.settings["default"])
    if connection.vendor == "sqlite":
        conf["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        conf["NAME"] = os.environ.get("YIWANG_TEST_RESTORE_DB") or f"{conf['NAME']}_restore"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{conf["NAME"]}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{conf["NAME"]}"')
    # Created from settings, then taken out of them again: Django's test case allows a connection
    # made during the test, not a configured alias the test did not declare.
    connections.settings["restored"] = conf
    connections["restored"]
    del connections.settings["restored"]
    try:
        yield "restored"
    finally:
        connections["restored"].close()
        del connections["restored"]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{conf["NAME"]}" WITH (FORCE)')


@pytest.fixture
def platform_data(settings: Any, tmp_path: Path) -> dict[str, Any]:
    """Demo-like data: a department, a published item, citizens' applications with their files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    factories.seed_test_calendar()
    department = factories.make_department()
    item = factories.make_item(department)
    cases = [factories.apply_for(item, factories.make_citizen(f"citizen{n}")) for n in range(2)]
    return {"cases": cases, "media": tmp_path / "media"}


def _counts(alias: str) -> dict[str, int]:
    target = connections[alias]
    with target.cursor() as cursor:
        tables = target.introspection.table_names(cursor)
        result = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {target.ops.quote_name(table)}")  # noqa: S608
            result[table] = cursor.fetchone()[0]
    return result


def test_backup_and_restore_round_trip(platform_data: dict[str, Any], tmp_path: Path) -> None:
    media: Path = platform_data["media"]
    originals = {p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()}
    assert originals, "the applications stored their materials"
    assert AuditEvent.objects.exists()
    out = StringIO()
    call_command("backup", str(tmp_path / "backup"), stdout=out)
    assert "备份完成" in out.getvalue()
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tables"]["cases_case"] == 2
    assert set(manifest["files"]) == set(originals)
    assert manifest["audit"]["sequence"] == AuditEvent.objects.count()
    audit.record("test.after_backup")  # later changes are not in the backup

    with fresh_database(tmp_path) as alias:
        out = StringIO()
        call_command(
            "restore",
            str(tmp_path / "backup"),
            database=alias,
            media_root=str(tmp_path / "media2"),
            stdout=out,
        )
        report = out.getvalue()
        assert "恢复完成，校验通过" in report and "审计链：完整" in report
        restored_counts = _counts(alias)
        assert restored_counts == manifest["tables"]
        assert restored_counts["core_auditevent"] == AuditEvent.objects.count() - 1
        assert Case.objects.using(alias).count() == 2
        restored_files = {
            p.relative_to(tmp_path / "media2").as_posix(): p.read_bytes()
            for p in (tmp_path / "media2").rglob("*")
            if p.is_file()
        }
        assert restored_files == originals
        assert audit.verify_chain(using=alias).ok

        # verify_restored notices a count or a file that differs from the manifest.
        changed = {**manifest, "tables": {**manifest["tables"], "cases_case": 3}}
        mismatch = verify_restored(changed, using=alias, media_root=tmp_path / "media2")
        assert not mismatch.ok and any("cases_case" in line for line in mismatch.lines)
        next(iter((tmp_path / "media2").rglob("*.pdf"))).write_bytes(b"%PDF-1.4 forged")
        assert not verify_restored(manifest, using=alias, media_root=tmp_path / "media2").ok

        # A database that is not empty (this one now) is never restored into.
        with pytest.raises(CommandError, match="空"):
            call_command(
                "restore", str(tmp_path / "backup"), database=alias, media_root=str(tmp_path / "media3")
            )


def test_a_tampered_backup_is_refused_before_anything_is_loaded(
    platform_data: dict[str, Any], tmp_path: Path
) -> None:
    source = tmp_path / "backup"
    call_command("backup", str(source), stdout=StringIO())
    manifest_path = source / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    assert read_manifest(source)["mac"] == manifest["mac"]

    # A changed count without the signing key: the signature no longer verifies.
    manifest_path.write_text(json.dumps({**manifest, "tables": {**manifest["tables"], "cases_case": 1}}))
    with pytest.raises(BackupError, match="签名无效"):
        read_manifest(source)
    manifest_path.write_text(json.dumps(manifest))

    # A changed material file.
    relative = next(iter(manifest["files"]))
    stored = source / "files" / relative
    original = stored.read_bytes()
    stored.write_bytes(original + b"x")
    with fresh_database(tmp_path) as alias, pytest.raises(CommandError, match="SM3") as caught:
        call_command(
            "restore", str(source), database=alias, media_root=str(tmp_path / "m"), stdout=StringIO()
        )
    assert caught.value.returncode == 1
    assert not (tmp_path / "m").exists()  # nothing was restored
    stored.write_bytes(original)

    # A changed database dump, even with a re-signed manifest from someone holding the key.
    dump = source / manifest["database"]["file"]
    dump.write_bytes(dump.read_bytes()[:-10])
    with pytest.raises(BackupError, match="SM3"):
        read_manifest(source)
    resigned = sign_manifest({**manifest, "database": {**manifest["database"], "sm3": "0" * 64}})
    manifest_path.write_text(json.dumps(resigned))
    with pytest.raises(BackupError, match="SM3"):
        read_manifest(source)

    # And the live database, which is not empty, is refused whatever the backup.
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError):
        restore(source, media_root=tmp_path / "m")
