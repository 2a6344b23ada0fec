"""电子归档: terminal transitions build a package; verification detects any tampered byte."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from yiwang.cases.archive import build_archive, canonical_json, inspect_archive, verify_archive
from yiwang.cases.models import ArchivePackage, CaseStatus
from yiwang.cases.services import accept_case, decide_case, refuse_acceptance, withdraw_case
from yiwang.cases.tests.factories import submit_case
from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import Conflict
from yiwang.core.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


@pytest.fixture
def completed(item, citizen, clerk, approver, django_capture_on_commit_callbacks):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    with django_capture_on_commit_callbacks(execute=True):
        case = decide_case(case, actor=approver, approve=True, comment="同意")
    return case


def _replace(name: str, data: bytes) -> None:
    default_storage.delete(name)
    assert default_storage.save(name, ContentFile(data)) == name


def test_completion_builds_the_package_with_both_hashes(completed):
    package = ArchivePackage.objects.get(case=completed)
    manifest = package.manifest
    paths = [entry["path"] for entry in manifest["entries"]]
    assert paths[:4] == ["case.json", "form_data.json", "events.json", "correction_notices.json"]
    assert [p for p in paths if p.startswith("materials/")] == [
        "materials/001-r0.pdf",
        "materials/002-r0.pdf",
    ]
    assert "results/result.pdf" in paths
    manifest_bytes = canonical_json(manifest)
    assert package.manifest_sm3 == sm3_hex(manifest_bytes)
    assert package.manifest_sha256 == hashlib.sha256(manifest_bytes).hexdigest()
    with default_storage.open(package.package_file.name, "rb") as handle:
        zip_bytes = handle.read()
    assert package.zip_sha256 == hashlib.sha256(zip_bytes).hexdigest()
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        assert archive.read("manifest.json") == manifest_bytes
        events = json.loads(archive.read("events.json"))
        result = archive.read("results/result.pdf")
    assert [e["event_type"] for e in events] == ["applied", "accepted", "approved", "completed", "delivered"]
    result_entry = next(e for e in manifest["entries"] if e["kind"] == "result")
    assert result_entry["sha256"] == hashlib.sha256(result).hexdigest() == completed.result_sha256
    assert result_entry["sm3"] == sm3_hex(result)
    material = next(e for e in manifest["entries"] if e["kind"] == "material")
    assert material["sha256"] == material["recorded_sha256"]
    assert AuditEvent.objects.filter(action="case.archived", object_id=str(completed.public_id)).exists()


def test_intact_package_verifies(completed):
    package = ArchivePackage.objects.get(case=completed)
    report = verify_archive(package)
    assert report.ok, report.problems
    assert report.checked_entries == package.entry_count
    package.refresh_from_db()
    assert package.last_verification_ok is True


def test_tampered_live_material_is_detected(completed):
    package = ArchivePackage.objects.get(case=completed)
    material = completed.materials.order_by("material_name", "correction_round", "created_at").first()
    _replace(material.file.name, b"%PDF-1.4 forged")
    report = verify_archive(package)
    assert not report.ok
    assert report.problems == [
        {"path": "materials/001-r0.pdf", "problem": "live_sm3_mismatch"},
        {"path": "materials/001-r0.pdf", "problem": "live_sha256_mismatch"},
    ]
    package.refresh_from_db()
    assert package.last_verification_ok is False


def test_tampered_zip_member_is_detected(completed):
    package = ArchivePackage.objects.get(case=completed)
    with default_storage.open(package.package_file.name, "rb") as handle:
        original = zipfile.ZipFile(io.BytesIO(handle.read()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as forged:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "events.json":
                data = data.replace("同意".encode(), "驳回".encode())
            forged.writestr(info, data)
    _replace(package.package_file.name, buffer.getvalue())
    problems = {(p["path"], p["problem"]) for p in inspect_archive(package).problems}
    assert ("", "package_hash_mismatch") in problems
    assert ("events.json", "package_sm3_mismatch") in problems
    assert ("events.json", "package_sha256_mismatch") in problems
    assert not any(path.startswith("materials/") for path, _ in problems)


def test_edited_manifest_row_is_detected(completed):
    package = ArchivePackage.objects.get(case=completed)
    package.manifest["retention"] = "10y"
    package.save(update_fields=["manifest"])
    problems = {(p["path"], p["problem"]) for p in inspect_archive(package).problems}
    assert ("manifest.json", "manifest_hash_mismatch") in problems
    assert ("manifest.json", "manifest_differs") in problems


def test_deleted_result_file_is_detected(completed):
    package = ArchivePackage.objects.get(case=completed)
    default_storage.delete(completed.result_document.name)
    assert {"path": "results/result.pdf", "problem": "live_file_missing"} in inspect_archive(package).problems


def test_not_accepted_and_withdrawn_cases_are_archived(
    item, citizen, clerk, django_capture_on_commit_callbacks
):
    refused = submit_case(item, citizen)
    withdrawn = submit_case(item, citizen)
    with django_capture_on_commit_callbacks(execute=True):
        refuse_acceptance(refused, actor=clerk, reason="不属于本部门职权")
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_case(withdrawn, applicant=citizen, reason="不再需要")
    assert ArchivePackage.objects.get(case=refused).manifest["status"] == CaseStatus.NOT_ACCEPTED
    assert ArchivePackage.objects.get(case=withdrawn).manifest["status"] == CaseStatus.WITHDRAWN


def test_open_case_cannot_be_archived_and_building_twice_is_idempotent(completed, item, citizen):
    with pytest.raises(Conflict) as exc:
        build_archive(submit_case(item, citizen))
    assert exc.value.code == "archive_case_open"
    assert build_archive(completed).pk == ArchivePackage.objects.get(case=completed).pk
    assert ArchivePackage.objects.count() == 1


def test_verify_archives_command_reports_tampering(completed, capsys):
    call_command("verify_archives")
    assert "1 个归档包校验通过" in capsys.readouterr().out
    _replace(completed.result_document.name, b"forged")
    with pytest.raises(SystemExit) as exc:
        call_command("verify_archives")
    assert exc.value.code == 1
    assert "results/result.pdf" in capsys.readouterr().out


def test_an_event_after_closing_adds_a_chained_version(completed, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from yiwang.cases.models import CaseEvent

    first = ArchivePackage.objects.get(case=completed)
    with django_capture_on_commit_callbacks(execute=True):
        CaseEvent.objects.create(  # e.g. a second handover (送达), recorded after 办结
            case=completed,
            sequence=6,
            event_type="delivered",
            from_status=CaseStatus.COMPLETED,
            to_status=CaseStatus.COMPLETED,
            actor_label="窗口人员",
            channel="window",
            occurred_at=timezone.now(),
        )
    second = ArchivePackage.objects.get(case=completed, version=2)
    assert second.manifest["previous_sm3"] == first.manifest_sm3
    assert second.last_event_sequence == 6
    with zipfile.ZipFile(default_storage.open(second.package_file.name, "rb")) as archive:
        assert json.loads(archive.read("events.json"))[-1]["event_type"] == "delivered"
    assert verify_archive(first).ok and verify_archive(second).ok
    assert build_archive(completed).pk == second.pk  # nothing new: no third version
