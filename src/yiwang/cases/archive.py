"""电子归档 Archive packages of closed cases, their retention period and integrity verification.

When a case reaches a terminal state (办结, 不予受理, 撤回, and 终止 where the variants module adds
it) a task builds its archive package once: every event, the form data, the correction notices,
every submitted material file and the result document become entries of a zip, each entry hashed
with SM3 (GB/T 32905) and SHA-256; the manifest lists them and is hashed itself (the package
hash).  :func:`verify_archive` recomputes everything from the stored zip and from the live files
still in storage and reports each entry that differs.  The format is described in docs/archive.md.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django_tasks import task

from yiwang.accounts import staff as staff_scope
from yiwang.accounts.models import User
from yiwang.cases.errors import CaseErrorCode
from yiwang.cases.models import (
    RETENTION_YEARS,
    TERMINAL_STATUSES,
    ArchivePackage,
    Case,
    CaseEvent,
    CaseEventType,
    CaseStatus,
    RetentionPeriod,
)
from yiwang.cases.signals import case_completed
from yiwang.core import audit
from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import Conflict, NotFound

FORMAT = "yiwang-archive/1"
MANIFEST_NAME = "manifest.json"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same case gives the same zip bytes

# Events that close a case other than 办结 (which sends ``case_completed``).  "terminated" is the
# termination event of the variants module; listed by value so this module does not depend on it.
CLOSING_EVENT_TYPES = {
    CaseEventType.NOT_ACCEPTED.value,
    CaseEventType.WITHDRAWN.value,
    CaseEventType.TERMINATED.value,
    CaseEventType.CORRECTION_TIMED_OUT.value,
    CaseEventType.APPROVAL_REVOKED.value,
}
ARCHIVABLE_STATUSES = {str(status) for status in TERMINAL_STATUSES}

# 保管期限 default table: (item type, outcome) → period; "*" matches any.  Overridden per deployment
# by settings.YIWANG_ARCHIVE_RETENTION (same shape) and per base item code by
# settings.YIWANG_ARCHIVE_RETENTION_BY_BASE_CODE ({base code: period}).
DEFAULT_RETENTION: dict[tuple[str, str], str] = {
    ("01", "approved"): RetentionPeriod.PERMANENT,  # 行政许可 granted: rights that outlive any term
    ("07", "approved"): RetentionPeriod.PERMANENT,  # 行政确认 granted
    ("09", "*"): RetentionPeriod.PERMANENT,  # 行政裁决
    ("*", "approved"): RetentionPeriod.YEARS_30,
    ("*", "refused"): RetentionPeriod.YEARS_30,  # refusals stay while appeals and reviews are possible
    ("20", "approved"): RetentionPeriod.YEARS_10,  # 公共服务
    ("*", "*"): RetentionPeriod.YEARS_10,  # not accepted, withdrawn, terminated
}


# --- retention -----------------------------------------------------------------------------------
def retention_for(case: Case) -> str:
    """The retention period of a closed case: per base code, then (item type, outcome) table."""
    by_code: dict[str, str] = getattr(settings, "YIWANG_ARCHIVE_RETENTION_BY_BASE_CODE", {})
    if case.item.base_code in by_code:
        return by_code[case.item.base_code]
    table = {**DEFAULT_RETENTION, **getattr(settings, "YIWANG_ARCHIVE_RETENTION", {})}
    outcome = case.outcome if case.status == CaseStatus.COMPLETED else ""
    for key in ((case.item.item_type, outcome), (case.item.item_type, "*"), ("*", outcome), ("*", "*")):
        if key in table:
            return table[key]
    return RetentionPeriod.YEARS_10


def disposal_date(period: str, closed_on: date) -> date | None:
    """到期日期: the closing date plus the period's years (29 Feb → 28 Feb); ``None`` when permanent."""
    years = RETENTION_YEARS[period]
    if years is None:
        return None
    year = closed_on.year + years
    day = min(closed_on.day, calendar.monthrange(year, closed_on.month)[1])
    return closed_on.replace(year=year, day=day)


# --- hashing -------------------------------------------------------------------------------------
def canonical_json(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no insignificant spaces, UTF-8; the bytes every hash covers."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _hashes(data: bytes) -> dict[str, str]:
    return {"sm3": sm3_hex(data), "sha256": hashlib.sha256(data).hexdigest()}


def _read_storage(name: str | None) -> bytes | None:
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


# --- building ------------------------------------------------------------------------------------
def _case_record(case: Case) -> dict[str, Any]:
    return {
        "id": str(case.public_id),
        "number": case.number,
        "item": {
            "id": str(case.item.public_id),
            "name": case.item.name,
            "base_code": case.item.base_code,
            "implementation_code": case.item.implementation_code,
            "item_type": case.item.item_type,
            "version": case.item_version,
        },
        "item_snapshot": case.item_snapshot,
        "handling_organisation": {
            "name": case.handling_organisation.name,
            "credit_code": case.handling_organisation.credit_code,
        },
        "applicant": {
            "name": case.applicant_name,
            "id_type": case.applicant_id_type,
            "id_number": case.applicant_id_number,
            "phone": case.applicant_phone,
        },
        "channel": case.channel,
        "status": case.status,
        "outcome": case.outcome,
        "delivery_method": case.delivery_method,
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "due_date": case.due_date,
        "statutory_due_date": case.statutory_due_date,
        "completed_at": case.completed_at,
        "decision_comment": case.decision_comment,
    }


def _event_record(event: CaseEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "event_type": event.event_type,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor": event.actor_label,
        "channel": event.channel,
        "ip_address": event.ip_address,
        "comment": event.comment,
        "data": event.data,
        "occurred_at": event.occurred_at,
    }


def _collect_entries(case: Case) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
    """The manifest entries and the bytes of each zip member, in a stable order."""
    members: dict[str, bytes] = {}
    entries: list[dict[str, Any]] = []

    def add(path: str, kind: str, data: bytes, **extra: Any) -> None:
        members[path] = data
        entries.append({"path": path, "kind": kind, "size": len(data), **_hashes(data), **extra})

    add("case.json", "case", canonical_json(_case_record(case)))
    add(
        "form_data.json",
        "form",
        canonical_json({"form_data": case.form_data, "scenario": case.scenario_answers}),
    )
    events = [_event_record(e) for e in case.events.order_by("sequence")]
    add("events.json", "events", canonical_json(events))
    notices = [
        {
            "round": n.round,
            "items": n.items,
            "comment": n.comment,
            "deadline": n.deadline,
            "issued_at": n.created_at,
            "resolved_at": n.resolved_at,
        }
        for n in case.correction_notices.order_by("round")
    ]
    add("correction_notices.json", "corrections", canonical_json(notices))
    for index, material in enumerate(
        case.materials.order_by("material_name", "correction_round", "created_at"), 1
    ):
        data = _read_storage(material.file.name)
        if data is None:
            raise Conflict(
                f"材料文件缺失，无法归档：{material.original_name}", code=CaseErrorCode.ARCHIVE_FILE_MISSING
            )
        suffix = material.original_name.rsplit(".", 1)[-1].lower() if "." in material.original_name else "bin"
        add(
            f"materials/{index:03d}-r{material.correction_round}.{suffix}",
            "material",
            data,
            source=material.file.name,
            material_id=str(material.public_id),
            material_name=material.material_name,
            original_name=material.original_name,
            superseded=material.superseded,
            recorded_sha256=material.sha256,
        )
    if case.result_document:
        data = _read_storage(case.result_document.name)
        if data is None:
            raise Conflict("结果文书文件缺失，无法归档", code=CaseErrorCode.ARCHIVE_FILE_MISSING)
        add(
            "results/result.pdf",
            "result",
            data,
            source=case.result_document.name,
            recorded_sha256=case.result_sha256,
        )
    # Every notice and decision the case produced (受理通知书, 一次性告知书, 决定书...), as issued.
    for index, document in enumerate(case.documents.order_by("created_at", "pk"), 1):
        data = _read_storage(document.file.name)
        if data is None:
            raise Conflict(
                f"文书文件缺失，无法归档：{document.title}", code=CaseErrorCode.ARCHIVE_FILE_MISSING
            )
        add(
            f"documents/{index:03d}-{document.kind}.pdf",
            "document",
            data,
            source=document.file.name,
            title=document.title,
            signed=document.signed,
            recorded_sha256=document.sha256,
        )
    return entries, members


def _zip(members: dict[str, bytes], manifest_bytes: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in [(MANIFEST_NAME, manifest_bytes), *members.items()]:
            info = zipfile.ZipInfo(path, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def build_archive(case: Case | int) -> ArchivePackage:
    """归档: build the package of a closed case (idempotent).

    The latest package is returned when it already covers every event; an event recorded after it
    (e.g. the handover of the result) gives a new version chained to the previous package hash.
    """
    pk = case.pk if isinstance(case, Case) else case
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = (
                Case.objects.select_for_update().select_related("item", "handling_organisation").get(pk=pk)
            )
            latest = ArchivePackage.objects.filter(case=locked).order_by("-version").first()
            last_sequence = (
                locked.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
            )
            if latest is not None and latest.last_event_sequence >= last_sequence:
                return latest
            if locked.status not in ARCHIVABLE_STATUSES:
                raise Conflict("办件尚未办结，不能归档", code=CaseErrorCode.ARCHIVE_CASE_OPEN)
            package = _new_package(locked, latest, last_sequence, stored)
            audit.record(
                "case.archived",
                obj=locked,
                detail={
                    "number": locked.number,
                    "version": package.version,
                    "package_sm3": package.manifest_sm3,
                    "retention": package.retention,
                },
            )
            return package
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _new_package(
    locked: Case, previous: ArchivePackage | None, last_sequence: int, stored: list[str]
) -> ArchivePackage:
    now = timezone.now()
    closed_on = timezone.localdate(locked.completed_at or now)
    period = retention_for(locked)
    version = previous.version + 1 if previous else 1
    entries, members = _collect_entries(locked)
    manifest = {
        "format": FORMAT,
        "case_id": str(locked.public_id),
        "case_number": locked.number,
        "version": version,
        "previous_sm3": previous.manifest_sm3 if previous else None,
        "last_event_sequence": last_sequence,
        "status": locked.status,
        "outcome": locked.outcome,
        "archived_at": now,
        "retention": period,
        "disposal_date": disposal_date(period, closed_on),
        "hash_algorithms": ["SM3", "SHA-256"],
        "entries": entries,
    }
    manifest = json.loads(canonical_json(manifest))  # the JSON form is what gets stored
    manifest_bytes = canonical_json(manifest)
    package_bytes = _zip(members, manifest_bytes)
    package = ArchivePackage(
        case=locked,
        version=version,
        last_event_sequence=last_sequence,
        format=FORMAT,
        manifest=manifest,
        manifest_sm3=sm3_hex(manifest_bytes),
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        zip_sm3=sm3_hex(package_bytes),
        zip_sha256=hashlib.sha256(package_bytes).hexdigest(),
        entry_count=len(entries),
        retention=period,
        disposal_date=disposal_date(period, closed_on),
        archived_at=now,
    )
    name = f"{locked.public_id.hex}-v{version}.zip"
    package.package_file.save(name, ContentFile(package_bytes), save=False)
    stored.append(str(package.package_file.name))
    package.save()
    return package


# --- verification --------------------------------------------------------------------------------
@dataclass
class VerificationReport:
    """校验结果 ``problems`` lists ``{"path", "problem"}``; empty means the package is intact."""

    package_id: str
    case_number: str
    problems: list[dict[str, str]] = field(default_factory=list)
    checked_entries: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, path: str, problem: str) -> None:
        self.problems.append({"path": path, "problem": problem})

    def as_dict(self) -> dict[str, Any]:
        return {
            "package_id": self.package_id,
            "case_number": self.case_number,
            "ok": self.ok,
            "checked_entries": self.checked_entries,
            "problems": self.problems,
        }


def _check_hashes(
    report: VerificationReport, path: str, data: bytes, entry: dict[str, Any], where: str
) -> None:
    actual = _hashes(data)
    for algorithm in ("sm3", "sha256"):
        if actual[algorithm] != entry.get(algorithm):
            report.add(path, f"{where}_{algorithm}_mismatch")


def inspect_archive(package: ArchivePackage) -> VerificationReport:
    """Recompute every hash (no writes): manifest, zip, each member and each live source file."""
    report = VerificationReport(str(package.public_id), package.case.number)
    manifest_bytes = canonical_json(package.manifest)
    if sm3_hex(manifest_bytes) != package.manifest_sm3 or (
        hashlib.sha256(manifest_bytes).hexdigest() != package.manifest_sha256
    ):
        report.add(MANIFEST_NAME, "manifest_hash_mismatch")
    zip_bytes = _read_storage(package.package_file.name)
    if zip_bytes is None:
        report.add("", "package_missing")
        return report
    if sm3_hex(zip_bytes) != package.zip_sm3 or hashlib.sha256(zip_bytes).hexdigest() != package.zip_sha256:
        report.add("", "package_hash_mismatch")
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        report.add("", "package_unreadable")
        return report
    with archive:
        if MANIFEST_NAME not in names:
            report.add(MANIFEST_NAME, "missing_in_package")
        elif archive.read(MANIFEST_NAME) != manifest_bytes:
            report.add(MANIFEST_NAME, "manifest_differs")
        listed = {MANIFEST_NAME}
        for entry in package.manifest.get("entries", []):
            path = str(entry["path"])
            listed.add(path)
            report.checked_entries += 1
            if path not in names:
                report.add(path, "missing_in_package")
            else:
                _check_hashes(report, path, archive.read(path), entry, "package")
            source = entry.get("source")
            if source:
                live = _read_storage(str(source))
                if live is None:
                    report.add(path, "live_file_missing")
                else:
                    _check_hashes(report, path, live, entry, "live")
        for extra in sorted(names - listed):
            report.add(extra, "not_in_manifest")
    return report


def verify_archive(package: ArchivePackage, *, actor: User | None = None) -> VerificationReport:
    """校验: inspect the package and record the result on it and in the audit trail."""
    report = inspect_archive(package)
    with transaction.atomic():
        locked = ArchivePackage.objects.select_for_update().get(pk=package.pk)
        locked.last_verified_at = timezone.now()
        locked.last_verification_ok = report.ok
        locked.last_verification_problems = report.problems
        locked.save(
            update_fields=[
                "last_verified_at",
                "last_verification_ok",
                "last_verification_problems",
                "updated_at",
            ]
        )
        audit.record(
            "case.archive_verified",
            actor=actor,
            obj=locked,
            detail={"number": report.case_number, "ok": report.ok, "problems": report.problems[:50]},
        )
    package.last_verified_at = locked.last_verified_at
    package.last_verification_ok = locked.last_verification_ok
    package.last_verification_problems = locked.last_verification_problems
    return report


# --- access --------------------------------------------------------------------------------------
ARCHIVE_ROLES = ("supervisor", "approver", "data_official")


def package_for(user: User, case_public_id: Any) -> ArchivePackage:
    """The latest archive package of a case the user may see with an archive role; 404 otherwise."""
    package = (
        ArchivePackage.objects.select_related("case", "case__item", "case__handling_organisation")
        .filter(case__public_id=case_public_id)
        .order_by("-version")
        .first()
    )
    if package is None or not staff_scope.in_scope(
        user, package.case.handling_organisation_id, ARCHIVE_ROLES
    ):
        raise NotFound("归档包不存在")
    return package


def can_view_archives(user: User) -> bool:
    return bool(staff_scope.roles_of(user) & set(ARCHIVE_ROLES))


# --- triggers ------------------------------------------------------------------------------------
@task()
def archive_case(case_id: int) -> str:
    """Background: build the archive package of a closed case (idempotent)."""
    return str(build_archive(case_id).public_id)


def schedule_archive(case_id: int) -> None:
    transaction.on_commit(lambda: archive_case.enqueue(case_id))


def on_case_completed(sender: Any, case: Case, **kwargs: Any) -> None:
    schedule_archive(case.pk)


def on_case_event(sender: Any, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    """Closing events archive the case; an event on an already closed case adds a new version."""
    if not created:
        return
    if instance.event_type in CLOSING_EVENT_TYPES or instance.from_status in ARCHIVABLE_STATUSES:
        schedule_archive(instance.case_id)


def connect() -> None:
    case_completed.connect(on_case_completed, dispatch_uid="cases.archive_on_completed")
    post_save.connect(on_case_event, sender=CaseEvent, dispatch_uid="cases.archive_on_closing_event")
