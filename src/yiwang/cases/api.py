"""Cases API: applicants file and follow cases; staff act on them (/api/v1/workbench)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet, TextChoices
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Response as NinjaResponse

from yiwang.accounts.models import User
from yiwang.cases import delivery as delivery_services
from yiwang.cases import detail_cache, licence_materials, queues, services, variants, window
from yiwang.cases.clock import clock_state_of, gap_overdue
from yiwang.cases.models import Case, CaseDelivery, CaseDocument, CaseEventType, CaseMaterial, CaseStatus
from yiwang.cases.schemas import (
    ActionIn,
    CaseDetailOut,
    CaseDocumentOut,
    CaseMaterialOut,
    CasePageOut,
    CaseSummaryOut,
    CaseWithdrawIn,
    CommitmentApproveIn,
    CorrectionIn,
    DecideIn,
    DeliveryIn,
    DeliveryOut,
    ExtensionDecideIn,
    ExtensionRequestIn,
    GapAcceptIn,
    HandoverIn,
    RefuseIn,
    SpecialEndIn,
    SpecialStartIn,
    StatusOut,
    VerifyIn,
)
from yiwang.catalog.models import ServiceItem
from yiwang.core.compiled import CompiledRows
from yiwang.core.errors import CoreErrorCode, DomainError, NotFound, PermissionDenied
from yiwang.core.openapi import DELIVERY_METHOD, FORM_DATA, multipart_body, text
from yiwang.core.paging import PageIn, ShortPageIn
from yiwang.core.wire import json_response, wire_date, wire_datetime

router = Router(tags=["cases"])
staff_router = Router(tags=["workbench"])

MATERIAL_FIELD_PREFIX = "material_"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# Exactly what a list row shows, in the order :func:`summary_page` unpacks them: list endpoints load
# these columns as plain values — not the guide snapshot, form data or the item's guide text (a 50-row
# to-do page otherwise moves ~100 KB per request), and no model instances.
SUMMARY_COLUMNS = (
    "public_id",
    "number",
    "item__public_id",
    "item__name",
    "handling_organisation__name",
    "applicant_name",
    "status",
    "outcome",
    "channel",
    "submitted_at",
    "accepted_at",
    "due_date",
    "completed_at",
    "lock_version",
    "clock_paused",
)


def _label(choices: type[TextChoices], value: str) -> str:
    """The display label of a stored choice (the value itself if the choice is unknown).

    Direct enum lookup: ``get_FOO_display()`` hashes every lazy choice on each call, which showed up
    as the largest single cost of a 50-row to-do page."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _status_label(status: str) -> str:
    return _label(CaseStatus, status)


def _summary_row(
    today: date | None,
    public_id: UUID,
    number: str,
    item_public_id: UUID,
    item_name: str,
    organisation_name: str,
    applicant_name: str,
    status: str,
    outcome: str,
    channel: str,
    submitted_at: datetime,
    accepted_at: datetime | None,
    due_date: date | None,
    completed_at: datetime | None,
    lock_version: int,
    clock_paused: bool,
    *,
    memo: dict[Any, Any] | None = None,
) -> dict[str, Any]:
    """One list row (the fields of :class:`CaseSummaryOut`, in its order), in wire form
    (:mod:`yiwang.core.wire`: strings for ids and times, so the C encoder renders the page).

    ``memo``: shared by the rows of one page — many rows share a due date and a status, and the
    clock and the label then need working out once.
    """
    if memo is None:
        state = clock_state_of(due_date, completed_at, clock_paused, today)
        label = _status_label(status)
    else:
        key = (due_date, completed_at, clock_paused)
        state = memo.get(key) or memo.setdefault(
            key, clock_state_of(due_date, completed_at, clock_paused, today)
        )
        label = memo.get(status) or memo.setdefault(status, _status_label(status))
    return {
        "id": str(public_id),
        "number": number,
        "item_id": str(item_public_id),
        "item_name": item_name,
        "handling_organisation": organisation_name,
        "applicant_name": applicant_name,
        "status": status,
        "status_label": label,
        "outcome": outcome,
        "channel": channel,
        "submitted_at": wire_datetime(submitted_at),
        "accepted_at": wire_datetime(accepted_at),
        "due_date": wire_date(due_date),
        "completed_at": wire_datetime(completed_at),
        "lock_version": lock_version,
        "due_soon": state.due_soon,
        "overdue": state.overdue,
        "clock_paused": state.paused,
        "working_days_left": state.working_days_left,
    }


def summary(case: Case) -> CaseSummaryOut:
    """One list row of a loaded case, as the response model."""
    return CaseSummaryOut.model_validate(summary_row(case))


def summary_row(case: Case) -> dict[str, Any]:
    """One list row of a loaded case in wire form (the detail view starts from it)."""
    return _summary_row(
        None,
        case.public_id,
        case.number,
        case.item.public_id,
        case.item.name,
        case.handling_organisation.name,
        case.applicant_name,
        case.status,
        case.outcome,
        case.channel,
        case.submitted_at,
        case.accepted_at,
        case.due_date,
        case.completed_at,
        case.lock_version,
        case.clock_paused,
    )


def summary_page(qs: QuerySet[Case], offset: int, limit: int, *, count: int | None = None) -> HttpResponse:
    """A :class:`CasePageOut` page rendered straight from column values.

    The hot lists (a clerk's to-do is reloaded all day) skip model instances and the second
    validation pass of the response model: the rows are built from typed database values with the
    schema's field names, already in wire form, so the body is what django-ninja would render for
    the schema (``tests/test_list_rows.py`` checks both).  ``count``: the total when the caller
    has it without counting (the to-do's queue counters).
    """
    values = qs.values_list(*SUMMARY_COLUMNS)[offset : offset + limit]
    return _rows_page(values, qs.count() if count is None else count)


def _rows_page(values: Iterable[tuple[Any, ...]], count: int) -> HttpResponse:
    today = timezone.localdate()
    memo: dict[Any, Any] = {}
    rows = [_summary_row(today, *row, memo=memo) for row in values]
    return json_response({"items": rows, "count": count})


def material_out(case: Case, material: CaseMaterial) -> CaseMaterialOut:
    return CaseMaterialOut(
        id=material.public_id,
        material_name=material.material_name,
        original_name=material.original_name,
        content_type=material.content_type,
        size=material.size,
        sha256=material.sha256,
        correction_round=material.correction_round,
        superseded=material.superseded,
        source=material.source,
        source_label=str(material.get_source_display()),
        trust_level=material.trust_level,
        trust_level_label=str(material.get_trust_level_display()),
        licence_identifier=material.licence_identifier,
        download_url=reverse("api:case_material", args=[case.public_id, material.public_id]),
    )


# Timeline events that prove a case has rows in a side table: without one of them the detail view
# does not query that table (every service that creates such a row records its event in the same
# transaction).
_NOTICE_EVENTS = frozenset({CaseEventType.CORRECTION_REQUESTED})
_SPECIAL_EVENTS = frozenset({CaseEventType.SPECIAL_PROCEDURE_STARTED})
_EXTENSION_EVENTS = frozenset({CaseEventType.EXTENSION_REQUESTED})


def detail_data(case: Case, *, delivery_loaded: bool = False) -> dict[str, Any]:
    """The :class:`CaseDetailOut` fields as plain values (the GET endpoints render them directly).

    ``delivery_loaded``: the case was read with ``select_related("delivery")`` just now.
    """
    events = list(services.case_queryset_for_events(case))
    seen = {event.event_type for event in events}
    notice = None
    if seen & _NOTICE_EVENTS:
        notices = list(case.correction_notices.order_by("-round"))
        # The open round if there is one, otherwise the latest (what the applicant last answered).
        notice = next((n for n in notices if n.resolved_at is None), notices[0] if notices else None)
    data = summary_row(case)
    data.update(
        item_version=case.item_version,
        form_data=case.form_data,
        delivery_method=case.delivery_method,
        statutory_due_date=case.statutory_due_date,
        due_date_provisional=case.due_date_provisional,
        statutory_due_date_provisional=case.statutory_due_date_provisional,
        decision_comment=case.decision_comment,
        result_url=reverse("api:case_result", args=[case.public_id]) if case.result_document else None,
        result_sha256=case.result_sha256,
        events=[
            {
                "sequence": event.sequence,
                "event_type": event.event_type,
                "event_label": _label(CaseEventType, event.event_type),
                "from_status": event.from_status,
                "to_status": event.to_status,
                "actor": event.actor_label,
                "channel": event.channel,
                "comment": event.comment,
                "data": event.data,
                "occurred_at": event.occurred_at,
            }
            for event in events
        ],
        materials=[material_out(case, material).model_dump() for material in services.materials_of(case)],
        correction_notice={
            "round": notice.round,
            "items": notice.items,
            "comment": notice.comment,
            "deadline": notice.deadline,
            "resolved_at": notice.resolved_at,
        }
        if notice
        else None,
        documents=[document_out(d).model_dump() for d in case.documents.all()],
        delivery=delivery_out(case, loaded=delivery_loaded).model_dump(),
        paused_working_days=case.paused_working_days,
        extension_days=case.extension_days,
        gap_items=case.gap_items or [],
        gap_deadline=case.gap_deadline,
        gap_resolved_at=case.gap_resolved_at,
        gap_overdue=gap_overdue(case),
        commitment_based=case.commitment_based,
        verification_due_date=case.verification_due_date,
        verified_at=case.verified_at,
        special_procedures=[
            {
                "id": p.public_id,
                "kind": p.kind,
                "kind_label": str(p.get_kind_display()),
                "reason": p.reason,
                "started_at": p.started_at,
                "ended_at": p.ended_at,
                "result": p.result,
                "paused_working_days": p.paused_working_days,
            }
            for p in (case.special_procedures.all() if seen & _SPECIAL_EVENTS else [])
        ],
        extensions=[
            {
                "id": x.public_id,
                "days": x.days,
                "reason": x.reason,
                "status": x.status,
                "requested_by": services._actor_label(x.requested_by),
                "decided_by": services._actor_label(x.decided_by) if x.decided_by else "",
                "decided_at": x.decided_at,
                "decision_comment": x.decision_comment,
            }
            for x in (
                case.extensions.select_related("requested_by", "decided_by")
                if seen & _EXTENSION_EVENTS
                else []
            )
        ],
    )
    return data


def detail(case: Case) -> CaseDetailOut:
    """The detail of a case just changed by a service (validated like any response)."""
    return CaseDetailOut.model_validate(detail_data(case))


def detail_response(user: User, case_id: UUID) -> HttpResponse:
    """GET case detail: the stored rendering while it is current (:mod:`yiwang.cases.detail_cache`),
    else one read of the case with what its header shows, rendered without the second validation
    pass (the body equals the schema's rendering; ``tests/test_list_rows.py``)."""

    def build() -> tuple[bytes, bool]:
        data = detail_data(services.get_case_for(user, case_id, for_detail=True), delivery_loaded=True)
        # Extensions show the current names of staff (another table): such a detail is not stored.
        return NinjaResponse(data).content, not data["extensions"]

    return detail_cache.detail_response(user, case_id, build)


def document_out(document: CaseDocument) -> CaseDocumentOut:
    if document.case is not None:
        url = reverse("api:case_document", args=[document.case.public_id, document.public_id])
    else:
        assert document.bundle_application is not None
        url = reverse("api:bundle_document", args=[document.bundle_application.public_id, document.public_id])
    return CaseDocumentOut(
        id=document.public_id,
        kind=document.kind,
        kind_label=str(document.get_kind_display()),
        title=document.title,
        sha256=document.sha256,
        signed=document.signed,
        created_at=document.created_at,
        download_url=url,
    )


def delivery_out(case: Case, *, loaded: bool = False) -> DeliveryOut:
    """``loaded``: ``case.delivery`` was selected with the case just now (otherwise read it fresh)."""
    if loaded:
        try:
            record: CaseDelivery | None = case.delivery
        except CaseDelivery.DoesNotExist:
            record = None
    else:
        record = CaseDelivery.objects.filter(case=case).first()
    if record is None:
        record = CaseDelivery(case=case, method=case.delivery_method)
    return DeliveryOut(
        method=record.method,
        method_label=str(record.get_method_display()),
        address=record.address,
        status=record.status,
        status_label=str(record.get_status_display()),
        delivered_at=record.delivered_at,
        recipient_name=record.recipient_name,
        tracking_number=record.tracking_number,
    )


def _material_files(request: HttpRequest) -> dict[str, list[UploadedFile]]:
    files: dict[str, list[UploadedFile]] = {}
    for field in request.FILES:
        if not field.startswith(MATERIAL_FIELD_PREFIX):
            raise DomainError(
                CoreErrorCode.VALIDATION_ERROR,
                f"文件字段须命名为 {MATERIAL_FIELD_PREFIX}<材料ID>",
                {field: ["未知文件字段"]},
            )
        files[field.removeprefix(MATERIAL_FIELD_PREFIX)] = request.FILES.getlist(field)
    return files


def _form_data(raw: str | None) -> dict[str, Any]:
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
    comma-separated), and one file field per material named ``material_<material id>``.  Send an
    ``Idempotency-Key`` header so that a retried request returns the case already filed (200) instead
    of filing a second one.

    ``delivery_method`` is ``window``, ``courier`` (then ``delivery_address`` is required) or
    ``electronic``.  A window clerk registers a walk-in applicant (窗口登记) with the same call plus
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
            form_data=_form_data(request.POST.get("form_data")),
            files=_material_files(request),
            delivery_method=method,
            delivery_address=address,
            idempotency_key=key,
        )
        return _filed(case, existed)
    applicant, acting_agent = services.applicant_acting_for(
        _user(request), request.POST.get("on_behalf_of", "")
    )
    key = request.headers.get("Idempotency-Key", "")
    existed = (
        bool(key) and Case.objects.filter(applicant=applicant, idempotency_key=key.strip()[:100]).exists()
    )
    case = services.submit_application(
        applicant=applicant,
        acting_agent=acting_agent,
        item=item,
        form_data=_form_data(request.POST.get("form_data")),
        files=_material_files(request),
        idempotency_key=key,
        licence_authorisations=licence_materials.parse_authorisations(
            [part for value in request.POST.getlist(licence_materials.FIELD) for part in value.split(",")]
        ),
        delivery_method=method,
        record_delivery=True,
        delivery_address=address,
        delivery_phone=phone,
    )
    return _filed(case, existed)


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
    case = services.status_lookup(number, id_tail)
    # Public and hit hardest: rendered straight from the typed columns (the StatusOut fields).
    return NinjaResponse(
        {
            "number": case.number,
            "item_name": case.item.name,
            "status": case.status,
            "status_label": _status_label(case.status),
            "submitted_at": case.submitted_at,
            "due_date": case.due_date,
            "completed_at": case.completed_at,
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
        files=_material_files(request),
        form_data=_form_data(request.POST.get("form_data")) or None,
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


# --- staff workbench -----------------------------------------------------------------------------
def _staff_user(request: HttpRequest) -> User:
    """The caller, if he holds a staff role; anyone else is refused (403)."""
    user = _user(request)
    if not services.staff_roles(user):
        raise PermissionDenied("仅工作人员可访问工作台")
    return user


@staff_router.get("/todo", response=CasePageOut, summary="Staff to-do list (待办)")
def todo(request: HttpRequest, paging: Query[PageIn]) -> HttpResponse:
    offset, limit = paging.offset, paging.limit
    user = _staff_user(request)
    scope = services.todo_scope(user)
    if scope is None:
        return summary_page(services.staff_todo(user), offset, limit, count=services.staff_todo_count(user))
    organisation_id, statuses = scope
    # The page asked all day by every clerk: its SQL is built once per shape (yiwang.core.compiled).
    values = _TODO_ROWS.rows(
        lambda: services.staff_todo(user).values_list(*SUMMARY_COLUMNS)[offset : offset + limit],
        shape=(statuses, offset, limit),
        params=[organisation_id, *statuses],
    )
    return _rows_page(values, queues.total(organisation_id, statuses))


_TODO_ROWS = CompiledRows("workbench.todo")


def _staff_case(request: HttpRequest, case_id: UUID) -> Case:
    return services.get_case_for(_staff_user(request), case_id)


@staff_router.get("/cases/{case_id}", response=CaseDetailOut, summary="Case detail for staff")
def staff_case_detail(request: HttpRequest, case_id: UUID) -> HttpResponse:
    return detail_response(_staff_user(request), case_id)


@staff_router.post("/cases/{case_id}/accept", response=CaseDetailOut, summary="Accept (受理)")
def accept(request: HttpRequest, case_id: UUID, payload: ActionIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    return detail(
        services.accept_case(
            case, actor=_user(request), comment=payload.comment, expected_version=payload.lock_version
        )
    )


@staff_router.post(
    "/cases/{case_id}/refuse-acceptance", response=CaseDetailOut, summary="Refuse to accept (不予受理)"
)
def refuse_acceptance(request: HttpRequest, case_id: UUID, payload: RefuseIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    return detail(
        services.refuse_acceptance(
            case, actor=_user(request), reason=payload.reason, expected_version=payload.lock_version
        )
    )


@staff_router.post(
    "/cases/{case_id}/request-correction",
    response=CaseDetailOut,
    summary="One-time correction notice (一次性告知)",
)
def request_correction(request: HttpRequest, case_id: UUID, payload: CorrectionIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    services.request_correction(
        case,
        actor=_user(request),
        items=[item.dict() for item in payload.items],
        comment=payload.comment,
        expected_version=payload.lock_version,
    )
    case.refresh_from_db()
    return detail(case)


@staff_router.post(
    "/cases/{case_id}/decide", response=CaseDetailOut, summary="Approve or refuse (审批), completing the case"
)
def decide(request: HttpRequest, case_id: UUID, payload: DecideIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    return detail(
        services.decide_case(
            case,
            actor=_user(request),
            approve=payload.approve,
            comment=payload.comment,
            expected_version=payload.lock_version,
        )
    )


@staff_router.post(
    "/cases/{case_id}/materials/{material_id}/verify",
    response=CaseMaterialOut,
    summary="Verify a material against the original (核验, trust level C → B)",
)
def verify_material(request: HttpRequest, case_id: UUID, material_id: UUID) -> CaseMaterialOut:
    case = _staff_case(request, case_id)
    material = services.verify_material(case, material_id, actor=_user(request))
    return material_out(case, material)


@staff_router.post(
    "/cases/{case_id}/handover", response=CaseDetailOut, summary="Record the result handover (送达交接)"
)
def handover(request: HttpRequest, case_id: UUID, payload: HandoverIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    delivery_services.record_handover(
        case,
        actor=_user(request),
        recipient_name=payload.recipient_name,
        recipient_signature=payload.recipient_signature,
        tracking_number=payload.tracking_number,
    )
    case.refresh_from_db()
    return detail(case)


# --- variants (cases/variants.py) ----------------------------------------------------------------
def _refreshed(case: Case) -> CaseDetailOut:
    case.refresh_from_db()
    return detail(case)


@router.post(
    "/{case_id}/gap-materials",
    response=CaseDetailOut,
    summary="Supply 容缺 materials",
    openapi_extra=multipart_body({"comment": text(2000)}),
)
def supply_gap(request: HttpRequest, case_id: UUID) -> CaseDetailOut:
    case = services.get_case_for(_user(request), case_id)
    return _refreshed(
        variants.supply_gap_materials(
            case,
            applicant=_user(request),
            files=_material_files(request),
            comment=str(request.POST.get("comment", ""))[:2000],
        )
    )


@staff_router.post("/cases/{case_id}/accept-with-gap", response=CaseDetailOut, summary="容缺受理")
def accept_with_gap(request: HttpRequest, case_id: UUID, payload: GapAcceptIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    return _refreshed(
        variants.accept_with_gap(
            case,
            actor=_user(request),
            items=[item.dict() for item in payload.items],
            days=payload.days,
            comment=payload.comment,
            expected_version=payload.lock_version,
        )
    )


@staff_router.post(
    "/cases/{case_id}/approve-on-commitment", response=CaseDetailOut, summary="告知承诺 approval"
)
def approve_on_commitment(request: HttpRequest, case_id: UUID, payload: CommitmentApproveIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    return _refreshed(
        variants.approve_on_commitment(
            case,
            actor=_user(request),
            comment=payload.comment,
            verification_days=payload.verification_days,
            expected_version=payload.lock_version,
        )
    )


@staff_router.post(
    "/cases/{case_id}/verify-commitment", response=CaseDetailOut, summary="承诺核查 / 撤销许可"
)
def verify_commitment(request: HttpRequest, case_id: UUID, payload: VerifyIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    return _refreshed(
        variants.verify_commitment(
            case,
            actor=_user(request),
            truthful=payload.truthful,
            comment=payload.comment,
            expected_version=payload.lock_version,
        )
    )


@staff_router.get("/verifications", response=CasePageOut, summary="待核查 commitment verifications")
def verifications(request: HttpRequest, paging: Query[PageIn]) -> HttpResponse:
    user = _staff_user(request)
    qs = variants.verification_todo(user)
    return summary_page(qs, paging.offset, paging.limit)


@staff_router.post("/cases/{case_id}/extension", response=CaseDetailOut, summary="延长申请")
def request_extension(request: HttpRequest, case_id: UUID, payload: ExtensionRequestIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    variants.request_extension(
        case,
        actor=_user(request),
        days=payload.days,
        reason=payload.reason,
        expected_version=payload.lock_version,
    )
    return _refreshed(case)


@staff_router.post("/cases/{case_id}/extension/decide", response=CaseDetailOut, summary="延长审批")
def decide_extension(request: HttpRequest, case_id: UUID, payload: ExtensionDecideIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    return _refreshed(
        variants.decide_extension(
            case,
            actor=_user(request),
            approve=payload.approve,
            comment=payload.comment,
            expected_version=payload.lock_version,
        )
    )


@staff_router.post("/cases/{case_id}/special-procedures", response=CaseDetailOut, summary="特别程序开始")
def start_special(request: HttpRequest, case_id: UUID, payload: SpecialStartIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    variants.start_special_procedure(
        case,
        actor=_user(request),
        kind=payload.kind,
        reason=payload.reason,
        expected_version=payload.lock_version,
    )
    return _refreshed(case)


@staff_router.post("/cases/{case_id}/special-procedures/end", response=CaseDetailOut, summary="特别程序结束")
def end_special(request: HttpRequest, case_id: UUID, payload: SpecialEndIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    variants.end_special_procedure(
        case, actor=_user(request), result=payload.result, expected_version=payload.lock_version
    )
    return _refreshed(case)


@staff_router.post("/cases/{case_id}/terminate", response=CaseDetailOut, summary="终止")
def terminate(request: HttpRequest, case_id: UUID, payload: RefuseIn) -> CaseDetailOut:
    case = _staff_case(request, case_id)
    return _refreshed(
        variants.terminate_case(
            case, actor=_user(request), reason=payload.reason, expected_version=payload.lock_version
        )
    )
