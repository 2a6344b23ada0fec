"""一件事 bundle applications API (/api/v1/bundle-applications)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest
from ninja import Query, Router, Status

from yiwang.accounts.models import User
from yiwang.cases import bundles
from yiwang.cases.api import parse_form_data
from yiwang.cases.models import BundleApplication, CaseDocument
from yiwang.cases.reads import document_out
from yiwang.cases.schemas import BundleApplicationOut, BundleSubCaseOut, HandoverIn
from yiwang.catalog.bundles import get_published_bundle
from yiwang.core.errors import CoreErrorCode, DomainError, NotFound
from yiwang.core.openapi import DELIVERY_METHOD, FORM_DATA, multipart_body, text
from yiwang.core.paging import ShortPageIn

router = Router(tags=["bundles"])
MATERIAL_FIELD_PREFIX = "material_"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def application_out(application: BundleApplication) -> BundleApplicationOut:
    return BundleApplicationOut(
        id=application.public_id,
        bundle_id=application.bundle.public_id,
        bundle_name=application.bundle.name,
        status=application.status,
        status_label=str(application.get_status_display()),
        delivery_method=application.delivery_method,
        submitted_at=application.submitted_at,
        completed_at=application.completed_at,
        delivered_at=application.delivered_at,
        sub_cases=[
            BundleSubCaseOut(
                id=case.public_id,
                number=case.number,
                item_name=case.item.name,
                handling_organisation=case.handling_organisation.name,
                status=case.status,
                status_label=str(case.get_status_display()),
                outcome=case.outcome,
            )
            for case in bundles.sub_cases(application)
        ],
        documents=[document_out(d) for d in application.documents.all()],
    )


def _json(raw: str | None, name: str) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, f"{name} 须为 JSON 对象", {name: [str(exc)]}
        ) from exc
    if not isinstance(value, dict):
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, f"{name} 须为 JSON 对象", {name: ["须为对象"]})
    return value


def _files(request: HttpRequest) -> dict[str, list[UploadedFile]]:
    files: dict[str, list[UploadedFile]] = {}
    for field in request.FILES:
        if not field.startswith(MATERIAL_FIELD_PREFIX):
            raise DomainError(
                CoreErrorCode.VALIDATION_ERROR,
                "文件字段须命名为 material_<材料键>",
                {field: ["未知文件字段"]},
            )
        files[field.removeprefix(MATERIAL_FIELD_PREFIX)] = request.FILES.getlist(field)
    return files


@router.post(
    "",
    response={201: BundleApplicationOut},
    summary="Apply for a bundle (一件事申请): multipart",
    openapi_extra=multipart_body(
        {
            "bundle_id": {"type": "string", "format": "uuid"},
            "form_data": FORM_DATA,
            "member_forms": FORM_DATA | {"description": "JSON `{item id: {field: value}}`"},
            "optional_items": text(2000, description="item ids of optional members, comma-separated"),
            "delivery_method": DELIVERY_METHOD,
            "delivery_address": text(300),
        },
        required=("bundle_id",),
    ),
)
def apply(request: HttpRequest) -> Status[BundleApplicationOut]:
    """Fields: ``bundle_id``, ``form_data`` (the merged form, JSON), ``member_forms`` (JSON
    ``{item id: {field: value}}`` for fields a member still asks on its own), ``optional_items``
    (comma-separated item ids of optional members), ``delivery_method``, ``delivery_address`` and one
    file field per bundle material named ``material_<key>`` (keys from the bundle's material list)."""
    try:
        bundle = get_published_bundle(request.POST.get("bundle_id", ""))
    except NotFound as exc:
        raise DomainError(
            CoreErrorCode.NOT_FOUND, "一件事不存在", {"bundle_id": ["未找到"]}, status=404
        ) from exc
    optional = [v for v in request.POST.get("optional_items", "").split(",") if v.strip()]
    application = bundles.apply_bundle(
        applicant=_user(request),
        bundle=bundle,
        form_data=parse_form_data(request.POST.get("form_data")),
        member_forms=_json(request.POST.get("member_forms"), "member_forms"),
        optional_items=optional,
        files=_files(request),
        delivery_method=request.POST.get("delivery_method") or "electronic",
        delivery_address=request.POST.get("delivery_address", ""),
    )
    return Status(201, application_out(application))


@router.get("", response=list[BundleApplicationOut], summary="My bundle applications")
def my_applications(request: HttpRequest, paging: Query[ShortPageIn]) -> list[BundleApplicationOut]:
    qs = bundles.with_details(bundles.visible_applications(_user(request))).order_by("-submitted_at")
    return [application_out(a) for a in paging.window(qs)]


@router.get(
    "/{application_id}", response=BundleApplicationOut, summary="Bundle application with its sub-cases"
)
def application_detail(request: HttpRequest, application_id: UUID) -> BundleApplicationOut:
    return application_out(bundles.get_application_for(_user(request), application_id))


@router.get(
    "/{application_id}/documents/{document_id}", url_name="bundle_document", summary="Combined result (PDF)"
)
def application_document(request: HttpRequest, application_id: UUID, document_id: UUID) -> FileResponse:
    application = bundles.get_application_for(_user(request), application_id)
    document = CaseDocument.objects.filter(bundle_application=application, public_id=document_id).first()
    if document is None:
        raise NotFound("文书不存在")
    return FileResponse(
        document.file.open("rb"), content_type="application/pdf", filename=f"{document.title}.pdf"
    )


@router.post(
    "/{application_id}/handover",
    response=BundleApplicationOut,
    summary="Record the one handover of the combined result (一次送达)",
)
def application_handover(
    request: HttpRequest, application_id: UUID, payload: HandoverIn
) -> BundleApplicationOut:
    application = bundles.get_application_for(_user(request), application_id)
    updated = bundles.record_bundle_handover(
        application,
        actor=_user(request),
        recipient_name=payload.recipient_name,
        recipient_signature=payload.recipient_signature,
        tracking_number=payload.tracking_number,
    )
    return application_out(updated)
