"""Cases API (/api/v1/cases): applicants file and follow their cases.

Staff endpoints are in :mod:`yiwang.cases.staff_api` (/api/v1/workbench); what both read (rows, the
detail) comes from :mod:`yiwang.cases.reads`.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.responses import Response as NinjaResponse

from yiwang.accounts.models import User
from yiwang.cases import (
    courier,
    licence_materials,
    prefill,
    reused_materials,
    services,
    shared_materials,
    variants,
    window,
)
from yiwang.cases import delivery as delivery_services
from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.reads import delivery_out, detail, detail_data, detail_response, status_label, summary_page
from yiwang.cases.schemas import (
    ApplyFormOut,
    CaseDetailOut,
    CasePageOut,
    CaseWithdrawIn,
    DeliveryIn,
    DeliveryOut,
    StatusOut,
)
from yiwang.catalog.models import ServiceItem
from yiwang.catalog.reads import get_published_item
from yiwang.core.errors import CoreErrorCode, DomainError, NotFound, PermissionDenied
from yiwang.core.openapi import DELIVERY_METHOD, FORM_DATA, multipart_body, text
from yiwang.core.paging import ShortPageIn
from yiwang.sharing import services as sharing_services

router = Router(tags=["cases"])

MATERIAL_FIELD_PREFIX = "material_"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


FORM_FILE_PREFIX = "field_"


def form_files(request: HttpRequest) -> dict[str, list[UploadedFile]]:
    """附件字段: the files of the form's ``file`` components, multipart fields ``field_<key>`` (the
    filing refuses a key that is no file component of the item's form: ``check_form_files``)."""
    return {
        field.removeprefix(FORM_FILE_PREFIX)[:60]: request.FILES.getlist(field)
        for field in request.FILES
        if field.startswith(FORM_FILE_PREFIX)
    }


def material_files(request: HttpRequest) -> dict[str, list[UploadedFile]]:
    """The uploaded files by material id (file fields are named ``material_<material id>``)."""
    files: dict[str, list[UploadedFile]] = {}
    for field in request.FILES:
        if field.startswith(FORM_FILE_PREFIX):
            continue  # 附件字段 of the form: form_files() takes them (an unknown key is refused there)
        if not field.startswith(MATERIAL_FIELD_PREFIX):
            raise DomainError(
                CoreErrorCode.VALIDATION_ERROR,
                f"文件字段须命名为 {MATERIAL_FIELD_PREFIX}<材料ID> 或 {FORM_FILE_PREFIX}<表单字段>",
                {field: ["未知文件字段"]},
            )
        files[field.removeprefix(MATERIAL_FIELD_PREFIX)] = request.FILES.getlist(field)
    return files


def parse_form_data(raw: str | None) -> dict[str, Any]:
    """A multipart field holding a JSON object (the application form); anything else is refused."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, "form_data 须为 JSON 对象", {"form_data": [str(exc)]}
        ) from exc
    if not isinstance(value, dict):
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, "form_data 须为 JSON 对象", {"form_data": ["须为对象"]}
        )
    return value


# --- applicants ----------------------------------------------------------------------------------
def _filed(case: Case, existed: bool) -> HttpResponse:
    """201 with the new case (200 when an idempotent retry found it), rendered like the detail GET:
    the delivery record made with it is already on the case object."""
    return NinjaResponse(detail_data(case, delivery_loaded=True), status=200 if existed else 201)


@router.post(
    "",
    response={201: CaseDetailOut, 200: CaseDetailOut},
    summary="Apply (申请): multipart form",
    openapi_extra=multipart_body(
        {
            "item_id": {"type": "string", "format": "uuid"},
            "form_data": FORM_DATA,
            "delivery_method": DELIVERY_METHOD,
            "delivery_address": text(300),
            "delivery_phone": text(20),
            "pickup_address": text(200, description="材料收取: a courier fetches the paper originals here"),
            "on_behalf_of": text(18, description="a company's unified social credit code (代办)"),
            "licence_authorisations": text(2000, description="e-licence ids, comma-separated (一证通办)"),
            "applicant_name": text(100, description="window registration of a walk-in applicant"),
            "applicant_id_number": text(18),
            "applicant_phone": text(20),
        },
        required=("item_id",),
    )
    | {"parameters": [{"in": "header", "name": "Idempotency-Key", "schema": text(100), "required": False}]},
)
def apply(request: HttpRequest) -> HttpResponse:
    """Fields: ``item_id`` (UUID), ``form_data`` (JSON object), ``delivery_method``, optionally
    ``on_behalf_of`` (a company's credit code: apply as its authorised agent, 代办),
    ``licence_authorisations`` (一证通办: ids of the applicant's e-licences he authorises the handling
    body to use for materials declared as e-licences without a legal basis; repeated or
    comma-separated), one file field per material named ``material_<material id>``, and, instead of
    a file, ``store_<material id>`` = the public id of an entry of the applicant's material store
    (材料库复用, ``GET /api/v1/space/materials``): filed with the case as source ``material_store``.
    The files of the form's ``file`` components (附件字段) come as ``field_<component key>``.  Send an
    ``Idempotency-Key`` header so that a retried request returns the case already filed (200) instead
    of filing a second one.

    ``delivery_method`` is ``window``, ``courier`` (then ``delivery_address`` is required) or
    ``electronic``.  ``pickup_address`` (items that ask for paper originals): a courier pickup of the
    originals from that address to the department is ordered after the filing (材料收取; see
    ``GET /api/v1/logistics/orders``).  A window clerk registers a walk-in applicant (窗口登记) with the same call plus
    ``applicant_name``, ``applicant_id_number`` and optionally ``applicant_phone``."""
    item_id = request.POST.get("item_id", "")
    try:
        item = (
            ServiceItem.objects.select_related("implementing_body")
            .prefetch_related("materials")
            .get(public_id=UUID(item_id))
        )
    except (ValueError, ServiceItem.DoesNotExist) as exc:
        raise DomainError(CoreErrorCode.NOT_FOUND, "事项不存在", {"item_id": ["未找到"]}, status=404) from exc
    method, address, phone = delivery_services.validate_choice(
        request.POST.get("delivery_method") or "electronic",
        request.POST.get("delivery_address", ""),
        request.POST.get("delivery_phone", ""),
    )
    if _user(request).kind == "staff":
        if not request.POST.get("applicant_id_number"):
            raise PermissionDenied(
                "工作人员账户不能作为申请人；窗口登记须填写申请人身份（applicant_id_number）"
            )
        key = request.headers.get("Idempotency-Key", "")
        existed = (
            bool(key)
            and Case.objects.filter(registered_by=_user(request), idempotency_key=key.strip()[:100]).exists()
        )
        case = window.register_walk_in(
            clerk=_user(request),
            item=item,
            applicant_name=request.POST.get("applicant_name", ""),
            applicant_id_number=request.POST.get("applicant_id_number", ""),
            applicant_phone=request.POST.get("applicant_phone", ""),
            form_data=parse_form_data(request.POST.get("form_data")),
            files=material_files(request),
            delivery_method=method,
            delivery_address=address,
            idempotency_key=key,
        )
        return _filed(case, existed)
    pickup_address = request.POST.get("pickup_address", "").strip()[:200]
    pickup = bool(pickup_address) and courier.wants_originals(item)
    if pickup:
        courier.validate_pickup_address(pickup_address)
    applicant, acting_agent = services.applicant_acting_for(
        _user(request), request.POST.get("on_behalf_of", "")
    )
    # One look-up finds a retried filing (200) or lets a new one be filed (201).
    case, existed = services.file_application(
        applicant=applicant,
        acting_agent=acting_agent,
        item=item,
        form_data=parse_form_data(request.POST.get("form_data")),
        files=material_files(request),
        form_files=form_files(request),
        reused_materials=reused_materials.plan(
            applicant, list(item.materials.all()), reused_materials.choices_from(request.POST)
        ),
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        licence_authorisations=licence_materials.parse_authorisations(
            [part for value in request.POST.getlist(licence_materials.FIELD) for part in value.split(",")]
        ),
        delivery_method=method,
        record_delivery=True,
        delivery_address=address,
        delivery_phone=phone,
    )
    if pickup and not existed:
        # The application stands when the carrier refuses: the refusal is on the order and audited.
        with contextlib.suppress(DomainError):
            courier.request_materials_pickup(case, address=pickup_address)
    return _filed(case, existed)


@router.get(
    "/apply-form/{item_id}", response=ApplyFormOut, summary="The application form, prefilled (申请表预填)"
)
def apply_form(request: HttpRequest, item_id: UUID) -> dict[str, Any]:
    """The form an applicant fills to apply for a published item: its e-form ``definition``, each field
    with the value prefilled (:mod:`yiwang.cases.prefill`: the real-name account, the profile, a valid
    e-licence, the previous application of the item, or the bases through the sharing gateway) and where
    it came from (``source``, with ``locked`` when the applicant cannot change it), and each material with
    whether the platform fills it from shared data at filing.  Personal shared data is fetched before
    filing only with the applicant's consent: ``consent_needed`` says so (then POST ``…/consent``; a
    consent given in the last minutes is used here too).  Applicants only (staff: 403); every gateway
    call is logged for the applicant (我的数据被谁使用)."""
    applicant = _applicant(request)
    item = get_published_item(item_id)
    consent = sharing_services.current_prefill_consent(applicant, item_ref=str(item.public_id))
    return _apply_form(applicant, item, prefill.resolve(applicant, item, consent=consent))


@router.post(
    "/apply-form/{item_id}/consent",
    response=ApplyFormOut,
    summary="Consent to prefill from my shared data, then the form (授权调取共享数据预填)",
)
def apply_form_consent(request: HttpRequest, item_id: UUID) -> dict[str, Any]:
    """The applicant's explicit consent that the platform fetch his personal data from the sharing
    gateway to prefill this item's form before a case number exists (recorded, audited, valid 30
    minutes, named on each gateway call with the purpose), answered with the form prefilled with it."""
    applicant = _applicant(request)
    item = get_published_item(item_id)
    consent = sharing_services.grant_prefill_consent(
        applicant,
        purpose=f"办理{item.name}（预填申请表）",
        resource_codes=prefill.resolve(applicant, item).consent_resources,
        item_ref=str(item.public_id),
    )
    return _apply_form(applicant, item, prefill.resolve(applicant, item, consent=consent))


def _applicant(request: HttpRequest) -> User:
    user = _user(request)
    if user.kind == "staff":
        raise PermissionDenied("工作人员账户不是申请人")
    return user


def _apply_form(applicant: User, item: ServiceItem, found: prefill.Prefill) -> dict[str, Any]:
    materials = list(item.materials.all())
    shared = {choice.material.pk for choice in shared_materials.plan(applicant, item, materials, ())}
    fields = []
    for spec in item.form_fields or []:
        name = str(spec.get("name") or "")
        entry = found.sources.get(name)
        fields.append(
            {
                **{
                    key: spec[key]
                    for key in ("label", "type", "required", "choices", "help_text")
                    if key in spec
                },
                "name": name,
                "value": entry.value if entry else None,
                "source": (
                    {
                        "kind": "profile" if entry.kind == "applicant" else entry.kind,
                        "label": entry.label,
                        "resource_code": entry.resource_code,
                        "gateway_call": entry.gateway_call,
                        "locked": entry.locked,
                    }
                    if entry
                    else None
                ),
            }
        )
    return {
        "item_id": item.public_id,
        "item_name": item.name,
        "definition": dict(getattr(item, "form_definition", None) or {}),
        "consent_needed": found.consent_needed,
        "consent_resources": found.consent_resources,
        "fields": fields,
        "materials": [
            {
                "id": material.public_id,
                "name": material.name,
                "mandatory": material.mandatory,
                "source_kind": material.source_kind,
                "shared_resource_code": material.shared_resource_code,
                "shared_fields": list(material.shared_fields or []),
                "from_shared_data": material.pk in shared,
            }
            for material in materials
        ],
    }


@router.get("", response=CasePageOut, summary="My cases (我的办件)")
def my_cases(request: HttpRequest, paging: Query[ShortPageIn]) -> HttpResponse:
    user = _user(request)
    qs = (
        services.visible_cases(user)
        .filter(Q(applicant=user) | Q(acting_agent=user))
        .order_by("-submitted_at")
    )
    return summary_page(qs, paging.offset, paging.limit)


@router.get("/status", auth=None, response=StatusOut, summary="Public status lookup (办件查询)")
def status(request: HttpRequest, number: str, id_tail: str) -> HttpResponse:
    answer = services.public_status(number, id_tail)
    # Public and hit hardest: one compiled statement, rendered straight from its typed columns.
    return NinjaResponse(
        {
            "number": answer.number,
            "item_name": answer.item_name,
            "status": answer.status,
            "status_label": status_label(answer.status),
            "submitted_at": answer.submitted_at,
            "due_date": answer.due_date,
            "completed_at": answer.completed_at,
        }
    )


@router.get("/{case_id}", response=CaseDetailOut, summary="Case detail with timeline")
def case_detail(request: HttpRequest, case_id: UUID) -> HttpResponse:
    return detail_response(_user(request), case_id)


@router.post(
    "/{case_id}/corrections",
    response=CaseDetailOut,
    summary="Supply corrections (补正)",
    openapi_extra=multipart_body({"form_data": FORM_DATA, "comment": text(2000)}),
)
def supply_correction(request: HttpRequest, case_id: UUID) -> CaseDetailOut:
    case = services.get_case_for(_user(request), case_id)
    if case.applicant_id != _user(request).pk:
        raise NotFound("办件不存在")
    updated = services.supply_correction(
        case,
        applicant=_user(request),
        files=material_files(request),
        form_data=parse_form_data(request.POST.get("form_data")) or None,
        comment=request.POST.get("comment", "")[:2000],
    )
    return detail(updated)


@router.post("/{case_id}/withdraw", response=CaseDetailOut, summary="Withdraw (撤回)")
def withdraw(request: HttpRequest, case_id: UUID, payload: CaseWithdrawIn) -> CaseDetailOut:
    case = services.get_case_for(_user(request), case_id)
    return detail(services.withdraw_case(case, applicant=_user(request), reason=payload.reason))


@router.get("/{case_id}/result", url_name="case_result", summary="Result document (PDF)")
def result_document(request: HttpRequest, case_id: UUID) -> FileResponse:
    case = services.get_case_for(_user(request), case_id)
    if not case.result_document:
        raise NotFound("该办件尚无结果文书")
    return FileResponse(
        case.result_document.open("rb"), content_type="application/pdf", filename=f"{case.number}.pdf"
    )


@router.get(
    "/{case_id}/documents/{document_id}", url_name="case_document", summary="Download a document (文书, PDF)"
)
def case_document(request: HttpRequest, case_id: UUID, document_id: UUID) -> FileResponse:
    case, document = services.case_document_for(_user(request), case_id, document_id)
    return FileResponse(
        document.file.open("rb"),
        content_type="application/pdf",
        filename=f"{case.number}-{document.kind}.pdf",
    )


@router.post("/{case_id}/delivery", response=DeliveryOut, summary="Change the delivery method (变更送达方式)")
def change_delivery(request: HttpRequest, case_id: UUID, payload: DeliveryIn) -> DeliveryOut:
    case = services.get_case_for(_user(request), case_id)
    delivery_services.change_delivery(
        case, user=_user(request), method=payload.method, address=payload.address, phone=payload.phone
    )
    return delivery_out(case)


@router.get(
    "/{case_id}/materials/{material_id}", url_name="case_material", summary="Download a submitted material"
)
def material_file(request: HttpRequest, case_id: UUID, material_id: UUID) -> FileResponse:
    case = services.get_case_for(_user(request), case_id)
    material = CaseMaterial.objects.filter(case=case, public_id=material_id).first()
    if material is None:
        raise NotFound("材料不存在")
    return FileResponse(
        material.file.open("rb"), content_type=material.content_type, filename=material.original_name
    )


@router.post(
    "/{case_id}/gap-materials",
    response=CaseDetailOut,
    summary="Supply 容缺 materials",
    openapi_extra=multipart_body({"comment": text(2000)}),
)
def supply_gap(request: HttpRequest, case_id: UUID) -> CaseDetailOut:
    case = services.get_case_for(_user(request), case_id)
    updated = variants.supply_gap_materials(
        case,
        applicant=_user(request),
        files=material_files(request),
        comment=str(request.POST.get("comment", ""))[:2000],
    )
    updated.refresh_from_db()
    return detail(updated)
