"""JSON API of the space app (/api/v1/space/).  Errors answer ``{"code","message","fields"}``.

Applicants: the material store (``/materials``: list paged, detail with where it was used, upload,
delete with the retention check), the e-licences listed live from the wallet (``/licences``) and
their own file (``/file``); ``?company=<credit code>`` works on a company they may act for.  Staff:
``/files/search`` (logged) and ``/files/{subject}`` (their data scope only, recorded).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from yiwang.accounts.models import AccountKind, User
from yiwang.cases.models import TERMINAL_STATUSES, Case
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.openapi import multipart_body, text
from yiwang.core.paging import ShortPageIn
from yiwang.space import file as subject_file
from yiwang.space import reads, services, staff_files
from yiwang.space.access import owner_for
from yiwang.space.actions import material_actions
from yiwang.space.errors import SpaceErrorCode
from yiwang.space.models import StoredMaterial
from yiwang.space.schemas import (
    SpaceFileIn,
    SpaceFileOut,
    SpaceLicenceOut,
    SpaceMaterialDetailOut,
    SpaceMaterialFilter,
    SpaceMaterialPageOut,
    SpaceMaterialUploadIn,
    SpaceStaffFileIn,
    SpaceSubjectIn,
    SpaceSubjectOut,
    SpaceSubjectSearchIn,
)
from yiwang.web.forms import parse_form
from yiwang.web.ui import current_user

router = Router(tags=["space"])


def applicant(request: HttpRequest) -> User:
    user = current_user(request)
    if user.kind == AccountKind.STAFF:
        raise PermissionDenied("材料库与个人档案仅供申请人使用", code=SpaceErrorCode.FORBIDDEN)
    return user


def case_ref(case: Case) -> dict[str, Any]:
    return {
        "id": case.public_id,
        "number": case.number,
        "item": case.item.name,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "submitted_at": case.submitted_at,
    }


def material_out(entry: StoredMaterial, *, actions: set[str] | None = None) -> dict[str, Any]:
    return {
        "id": entry.public_id,
        "name": entry.name,
        "catalogue_material": entry.material.public_id if entry.material_id and entry.material else None,
        "licence_type_code": entry.licence_type_code,
        "source": entry.source,
        "source_label": str(entry.get_source_display()),
        "trust_level": entry.trust_level,
        "valid_until": entry.valid_until,
        "valid": entry.valid_until is None or entry.valid_until >= timezone.localdate(),
        "case": None,
        "original_name": entry.original_name,
        "content_type": entry.content_type,
        "size": entry.size,
        "sha256": entry.sha256,
        "created_at": entry.created_at,
        "allowed_actions": sorted(actions if actions is not None else {"download"}),
    }


def material_detail(entry: StoredMaterial) -> dict[str, Any]:
    used = reads.usages(entry)
    blocking = [case for case in used if case.status not in TERMINAL_STATUSES]
    out = material_out(entry, actions=material_actions(entry, blocking=blocking))
    origin = next((case for case in used if case.pk == entry.case_id), None)
    out["case"] = case_ref(origin) if origin is not None else None
    out["used_in"] = [case_ref(case) for case in used]
    return out


@router.get("/materials", response=SpaceMaterialPageOut, summary="材料库：我的材料（分页）")
def list_materials(
    request: HttpRequest, filters: Query[SpaceMaterialFilter], paging: Query[ShortPageIn]
) -> dict[str, Any]:
    owner = owner_for(applicant(request), filters.company)
    rows = reads.materials_of(
        owner,
        reads.MaterialFilter(
            q=filters.q, source=filters.source, trust_level=filters.trust_level, validity=filters.validity
        ),
    ).select_related("material")
    return {"count": rows.count(), "results": [material_out(entry) for entry in paging.window(rows)]}


@router.get(
    "/materials/{uuid:material_id}", response=SpaceMaterialDetailOut, summary="材料库：一份材料及其使用情况"
)
def read_material(request: HttpRequest, material_id: UUID, subject: Query[SpaceSubjectIn]) -> dict[str, Any]:
    owner = owner_for(applicant(request), subject.company)
    return material_detail(reads.material_of(owner, material_id))


@router.post(
    "/materials",
    response={201: SpaceMaterialDetailOut},
    summary="材料库：上传材料（multipart）",
    openapi_extra=multipart_body(
        {
            "name": text(200, description="材料名称"),
            "material": {"type": "string", "format": "uuid", "description": "目录材料（可选）"},
            "valid_until": {"type": "string", "format": "date", "description": "有效期至（可选）"},
            "company": text(18, description="统一社会信用代码（以单位名义）"),
            "file": {"type": "string", "format": "binary"},
        },
        required=("name", "file"),
        files=False,
    ),
)
def upload_material(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    """The caller's role first, then the form (the same schema as the page's) and the file."""
    user = applicant(request)
    body = parse_form(SpaceMaterialUploadIn, request.POST, code=SpaceErrorCode.INVALID_INPUT)
    owner = owner_for(user, body.company)  # type: ignore[attr-defined]
    file = request.FILES.get("file")
    if file is None:
        raise DomainError(SpaceErrorCode.INVALID_INPUT, "请选择文件", {"file": ["必填"]})
    entry = services.upload_material(
        owner=owner,
        actor=user,
        name=body.name,  # type: ignore[attr-defined]
        upload=file,
        material_id=body.material,  # type: ignore[attr-defined]
        valid_until=body.valid_until,  # type: ignore[attr-defined]
    )
    return 201, material_detail(reads.material_of(owner, entry.public_id))


@router.delete("/materials/{uuid:material_id}", response={204: None}, summary="材料库：删除材料（保留规则）")
def delete_material(
    request: HttpRequest, material_id: UUID, subject: Query[SpaceSubjectIn]
) -> tuple[int, None]:
    user = applicant(request)
    owner = owner_for(user, subject.company)
    services.delete_material(reads.material_of(owner, material_id), actor=user)
    return 204, None


@router.get("/licences", response=list[SpaceLicenceOut], summary="材料库：我的电子证照（实时读取证照卡包）")
def list_licences(request: HttpRequest, subject: Query[SpaceSubjectIn]) -> list[dict[str, Any]]:
    owner = owner_for(applicant(request), subject.company)
    return [
        {
            "id": licence.public_id,
            "type_code": licence.licence_type.code,
            "type_name": licence.licence_type.name,
            "identifier": licence.identifier,
            "issuer": licence.issuer_name,
            "status": licence.status,
            "valid_until": licence.valid_until,
        }
        for licence in reads.wallet_licences(owner)
    ]


def file_out(
    subject: User, entries: list[subject_file.FileEntry], more: bool, *, masked: bool
) -> dict[str, Any]:
    kind, name, identifier = (
        staff_files.masked_label(subject) if masked else subject_file.subject_label(subject)
    )
    return {
        "subject": subject.public_id,
        "subject_kind": kind,
        "name": name,
        "identifier": identifier,
        "results": [
            {
                "kind": e.kind,
                "kind_label": e.kind_label,
                "at": e.at,
                "title": e.title,
                "reference": e.reference,
                "status": e.status,
                "department": e.department,
                "id": e.public_id,
            }
            for e in entries
        ],
        "has_more": more,
    }


@router.get("/file", response=SpaceFileOut, summary="一人一档 / 一企一档：我的档案")
def my_file(request: HttpRequest, params: Query[SpaceFileIn]) -> dict[str, Any]:
    owner = owner_for(applicant(request), params.company)
    entries, more = subject_file.timeline(owner, offset=params.offset, limit=params.limit)
    return file_out(owner, entries, more, masked=False)


@router.get(
    "/files/search",
    response=SpaceSubjectOut,
    summary="档案查询：按身份证号或统一社会信用代码（工作人员，留痕）",
)
def search_subject(request: HttpRequest, params: Query[SpaceSubjectSearchIn]) -> dict[str, Any]:
    subject = staff_files.find_subject(current_user(request), params.kind, params.number)
    kind, name, identifier = staff_files.masked_label(subject)
    return {"subject": subject.public_id, "subject_kind": kind, "name": name, "identifier": identifier}


@router.get(
    "/files/{uuid:subject_id}", response=SpaceFileOut, summary="一人一档 / 一企一档（工作人员，数据范围内）"
)
def staff_file(request: HttpRequest, subject_id: UUID, params: Query[SpaceStaffFileIn]) -> dict[str, Any]:
    subject, entries, more = staff_files.open_file(
        current_user(request), subject_id, offset=params.offset, limit=params.limit
    )
    return file_out(subject, entries, more, masked=True)
