"""Case records API: archive packages (/archives), case library (/library), dataset export (/datasets).

* ``/archives/{case_id}`` and ``/archives/{case_id}/verify`` — 监察人员, 审批人, 数据专员 in scope;
* ``/library/cases`` and ``/library/report`` — every case-handling role, within data scope;
* ``/datasets/exports`` — 数据专员 only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from yiwang.accounts.models import User
from yiwang.cases import archive, datasets, library
from yiwang.cases.models import DatasetExport
from yiwang.cases.reads import summary
from yiwang.cases.schemas import CasePageOut
from yiwang.core.errors import PermissionDenied
from yiwang.core.paging import PageIn

archives_router = Router(tags=["archives"])
library_router = Router(tags=["library"])
datasets_router = Router(tags=["datasets"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- archives ------------------------------------------------------------------------------------
class ArchivePackageOut(Schema):
    id: UUID
    case_id: UUID
    case_number: str
    version: int
    format: str
    manifest_sm3: str
    manifest_sha256: str
    zip_sm3: str
    zip_sha256: str
    entry_count: int
    retention: str
    retention_label: str
    disposal_date: date | None
    archived_at: datetime
    last_verified_at: datetime | None
    last_verification_ok: bool | None
    manifest: dict[str, Any]


class ArchiveVerificationOut(Schema):
    package_id: UUID
    case_number: str
    ok: bool
    checked_entries: int
    problems: list[dict[str, str]]


def _package_out(package: Any) -> ArchivePackageOut:
    return ArchivePackageOut(
        id=package.public_id,
        case_id=package.case.public_id,
        case_number=package.case.number,
        version=package.version,
        format=package.format,
        manifest_sm3=package.manifest_sm3,
        manifest_sha256=package.manifest_sha256,
        zip_sm3=package.zip_sm3,
        zip_sha256=package.zip_sha256,
        entry_count=package.entry_count,
        retention=package.retention,
        retention_label=str(package.get_retention_display()),
        disposal_date=package.disposal_date,
        archived_at=package.archived_at,
        last_verified_at=package.last_verified_at,
        last_verification_ok=package.last_verification_ok,
        manifest=package.manifest,
    )


def _archive_user(request: HttpRequest) -> User:
    user = _user(request)
    if not archive.can_view_archives(user):
        raise PermissionDenied("仅监察人员、审批人或数据专员可查看归档包")
    return user


@archives_router.get("/{case_id}", response=ArchivePackageOut, summary="Archive package of a case (归档包)")
def archive_detail(request: HttpRequest, case_id: UUID) -> ArchivePackageOut:
    return _package_out(archive.package_for(_archive_user(request), case_id))


@archives_router.get("/{case_id}/package", url_name="archive_download", summary="Download the archive zip")
def archive_download(request: HttpRequest, case_id: UUID) -> FileResponse:
    package = archive.package_for(_archive_user(request), case_id)
    return FileResponse(
        package.package_file.open("rb"), content_type="application/zip", filename=f"{package.case.number}.zip"
    )


@archives_router.post("/{case_id}/verify", response=ArchiveVerificationOut, summary="Verify integrity (校验)")
def archive_verify(request: HttpRequest, case_id: UUID) -> ArchiveVerificationOut:
    user = _archive_user(request)
    report = archive.verify_archive(archive.package_for(user, case_id), actor=user)
    return ArchiveVerificationOut(**report.as_dict())


# --- case library --------------------------------------------------------------------------------
class ReportRowOut(Schema):
    key: str
    label: str
    total: int
    closed: int
    with_due: int
    on_time: int
    on_time_rate: float | None


class ReportOut(Schema):
    group_by: str
    rows: list[ReportRowOut]


@library_router.get("/cases", response=CasePageOut, summary="Case library search (办件库)")
def library_cases(request: HttpRequest, paging: Query[PageIn]) -> CasePageOut:
    """Filters: item, department (UUIDs), region (GB/T 2260 code), status, channel, date_from,
    date_to (YYYY-MM-DD, submission date), number (prefix or part), applicant_name (part)."""
    qs = library.search_cases(_user(request), library.parse_filter(request.GET))
    return CasePageOut(items=[summary(c) for c in paging.window(qs)], count=qs.count())


@library_router.get("/report", response=ReportOut, summary="Case statistics (办件统计) with on-time rate")
def library_report(request: HttpRequest, group_by: str = "item") -> ReportOut:
    rows = library.case_report(_user(request), library.parse_filter(request.GET), group_by)
    return ReportOut(group_by=group_by, rows=[ReportRowOut(**row.as_dict()) for row in rows])


# --- dataset export ------------------------------------------------------------------------------
class ExportIn(Schema):
    target: str = "province"
    limit: int = datasets.DEFAULT_LIMIT


class ExportRecordOut(Schema):
    id: UUID
    target: str
    exported_by: str
    created_at: datetime
    counts: dict[str, int]
    record_count: int
    sha256: str
    sm3: str
    from_cursor: dict[str, Any]
    to_cursor: dict[str, Any]


@datasets_router.post("/exports", summary="Export GB/T 39046 datasets since the last export (增量上报)")
def export_now(request: HttpRequest, payload: ExportIn) -> HttpResponse:
    body = datasets.export_datasets(payload.target, actor=_user(request), limit=payload.limit)
    record = DatasetExport.objects.get(public_id=body["export_id"])
    response = HttpResponse(
        datasets.canonical_json(body), content_type="application/json; charset=utf-8", status=201
    )
    response["X-Yiwang-Export-SM3"] = record.sm3
    response["X-Yiwang-Export-SHA256"] = record.sha256
    return response


@datasets_router.get("/exports", response=list[ExportRecordOut], summary="Export history (上报记录)")
def export_history(
    request: HttpRequest,
    paging: Query[PageIn],
    target: str = Query("", max_length=30),  # type: ignore[type-arg]
) -> list[ExportRecordOut]:
    datasets.require_export_role(_user(request))
    qs = DatasetExport.objects.select_related("exported_by").order_by("-created_at", "-pk")
    if target:
        qs = qs.filter(target=datasets.check_target(target))
    return [
        ExportRecordOut(
            id=r.public_id,
            target=r.target,
            exported_by=r.exported_by.get_username() if r.exported_by else "系统",
            created_at=r.created_at,
            counts=r.counts,
            record_count=r.record_count,
            sha256=r.sha256,
            sm3=r.sm3,
            from_cursor=r.from_cursor,
            to_cursor=r.to_cursor,
        )
        for r in paging.window(qs)
    ]
