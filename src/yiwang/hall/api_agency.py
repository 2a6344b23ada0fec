"""Agency part of /api/v1/hall/ (帮办代办): authorisations recorded by hall staff, read by the
hall's staff, the principal and the agent; revoked by staff or the principal; applications filed on
the principal's behalf by the agent.  Errors answer ``{"code","message","fields"}`` with the codes of
:class:`yiwang.hall.errors.HallErrorCode`."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.responses import Response as NinjaResponse

from yiwang.accounts.models import AccountKind, User
from yiwang.cases.api import material_files, parse_form_data
from yiwang.cases.models import Case
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.errors import DomainError, NotFound, PermissionDenied
from yiwang.core.openapi import DELIVERY_METHOD, FORM_DATA, multipart_body, text
from yiwang.core.paging import PageIn
from yiwang.hall.errors import HallErrorCode
from yiwang.hall.models import AgencyAuthorisation, Hall
from yiwang.hall.schemas_agency import (
    HallAgencyCaseOut,
    HallAgencyFilter,
    HallAgencyOut,
    HallAgencyPageOut,
    HallAgencyRevokeIn,
)
from yiwang.hall.services import agency as service
from yiwang.web.ui import current_user

router = Router(tags=["hall"])


def authorisation_out(user: User, a: AgencyAuthorisation, principal: dict[str, str]) -> dict[str, Any]:
    return {
        "id": a.public_id,
        "hall": a.hall.name if a.hall else "",
        "kind": a.kind,
        "kind_label": str(a.get_kind_display()),
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "principal": principal,
        "agent": str(a.agent),
        "item_ids": [str(i) for i in a.item_public_ids or []],
        "valid_from": a.valid_from,
        "valid_until": a.valid_until,
        "has_evidence": bool(a.evidence),
        "evidence_sha256": a.evidence_sha256,
        "case_ids": [str(i) for i in a.case_public_ids or []],
        "revoked_at": a.revoked_at,
        "created_at": a.created_at,
        "allowed_actions": sorted(service.allowed_actions(a, user) - {"view", "read_personal"}),
    }


def get_authorisation(user: User, authorisation_id: UUID) -> AgencyAuthorisation:
    a = AgencyAuthorisation.objects.select_related("hall", "agent").filter(public_id=authorisation_id).first()
    if a is None or not service.allowed_actions(a, user):
        raise NotFound("代办授权不存在", code=HallErrorCode.NOT_FOUND)
    return a


def _staff_hall(user: User, hall_id: str = "") -> Hall:
    halls = service.staff_halls(user)
    if not halls:
        raise PermissionDenied("只有大厅工作人员可以办理代办授权", code=HallErrorCode.FORBIDDEN)
    return next((h for h in halls if str(h.public_id) == hall_id), halls[0])


def _parse_date(request: HttpRequest, field: str) -> date:
    raw = str(request.POST.get(field, ""))[:20]
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise DomainError(HallErrorCode.INVALID_INPUT, "日期格式应为 YYYY-MM-DD", {field: [raw]}) from exc


@router.get(
    "/agency", response=HallAgencyPageOut, summary="代办授权（工作人员：本大厅；群众：本人为委托人或受托人）"
)
def list_authorisations(
    request: HttpRequest, filters: Query[HallAgencyFilter], paging: Query[PageIn]
) -> dict[str, Any]:
    user = current_user(request)
    service.expire_overdue()
    if user.kind == AccountKind.STAFF:
        rows = service.hall_authorisations(_staff_hall(user), status=filters.status)
    else:
        rows = service.my_authorisations(user)
        if filters.status:
            rows = rows.filter(status=filters.status)
    page = list(paging.window(rows))
    shown = service.shown_principal(user, page, unmask=filters.unmask)
    return {
        "count": rows.count(),
        "results": [authorisation_out(user, a, p) for a, p in zip(page, shown, strict=True)],
    }


@router.post(
    "/agency",
    response={201: HallAgencyOut},
    summary="登记代办授权（大厅工作人员）: multipart form",
    openapi_extra=multipart_body(
        {
            "hall_id": {"type": "string", "format": "uuid"},
            "kind": {"type": "string", "enum": ["help", "agency"]},
            "principal_name": text(100),
            "principal_id_number": text(18),
            "principal_phone": text(20),
            "agent": text(150, description="受托人用户名或身份证号（帮办留空为本人）"),
            "item_ids": text(2000, description="事项 ID，逗号分隔；留空为全部事项"),
            "valid_from": {"type": "string", "format": "date"},
            "valid_until": {"type": "string", "format": "date"},
            "evidence": {
                "type": "string",
                "format": "binary",
                "description": "授权书扫描件 PDF/JPG/PNG ≤ 10 MB",
            },
        },
        required=("kind", "principal_name", "principal_id_number", "valid_from", "valid_until"),
        files=False,
    ),
)
def create_authorisation(request: HttpRequest) -> Status:
    user = current_user(request)
    hall = _staff_hall(user, str(request.POST.get("hall_id", "")))
    kind = str(request.POST.get("kind", ""))[:10]
    agent = service.find_agent(kind, str(request.POST.get("agent", "")), user)
    if agent is None:
        raise DomainError(HallErrorCode.INVALID_INPUT, "未找到受托人账户", {"agent": ["未找到"]})
    items = [p.strip() for p in str(request.POST.get("item_ids", ""))[:2000].split(",") if p.strip()]
    a = service.record_authorisation(
        recorded_by=user,
        hall=hall,
        kind=kind,
        principal_name=str(request.POST.get("principal_name", ""))[:100],
        principal_id_number=str(request.POST.get("principal_id_number", ""))[:18],
        principal_phone=str(request.POST.get("principal_phone", ""))[:20],
        agent=agent,
        item_public_ids=items,
        valid_from=_parse_date(request, "valid_from"),
        valid_until=_parse_date(request, "valid_until"),
        evidence=request.FILES.get("evidence"),
    )
    a = get_authorisation(user, a.public_id)
    return Status(201, authorisation_out(user, a, service.shown_principal(user, [a])[0]))


@router.get("/agency/{uuid:authorisation_id}", response=HallAgencyOut, summary="一条代办授权")
def read_authorisation(request: HttpRequest, authorisation_id: UUID, unmask: bool = False) -> dict[str, Any]:
    user = current_user(request)
    a = get_authorisation(user, authorisation_id)
    return authorisation_out(user, a, service.shown_principal(user, [a], unmask=unmask)[0])


@router.post("/agency/{uuid:authorisation_id}/revoke", response=HallAgencyOut, summary="撤销代办授权")
def revoke_authorisation(
    request: HttpRequest, authorisation_id: UUID, body: HallAgencyRevokeIn
) -> dict[str, Any]:
    user = current_user(request)
    a = service.revoke(
        authorisation=get_authorisation(user, authorisation_id), actor=user, reason=body.reason
    )
    a = get_authorisation(user, a.public_id)
    return authorisation_out(user, a, service.shown_principal(user, [a])[0])


@router.post(
    "/agency/{uuid:authorisation_id}/apply",
    response={201: HallAgencyCaseOut},
    summary="代为申请（受托人）: multipart form",
    openapi_extra=multipart_body(
        {
            "item_id": {"type": "string", "format": "uuid"},
            "form_data": FORM_DATA,
            "delivery_method": DELIVERY_METHOD,
        },
        required=("item_id",),
    )
    | {"parameters": [{"in": "header", "name": "Idempotency-Key", "schema": text(100), "required": False}]},
)
def apply(request: HttpRequest, authorisation_id: UUID) -> HttpResponse:
    """File the item for the principal; material files are named ``material_<material id>``."""
    user = current_user(request)
    a = get_authorisation(user, authorisation_id)
    try:
        item = ServiceItem.objects.get(
            public_id=UUID(str(request.POST.get("item_id", ""))), status=ItemStatus.PUBLISHED
        )
    except (ValueError, ServiceItem.DoesNotExist) as exc:
        raise DomainError(
            HallErrorCode.INVALID_INPUT, "事项不存在", {"item_id": ["未找到"]}, status=404
        ) from exc
    case: Case = service.apply_on_behalf(
        authorisation=a,
        agent=user,
        item=item,
        form_data=parse_form_data(request.POST.get("form_data")),
        files=material_files(request),
        delivery_method=str(request.POST.get("delivery_method") or "window")[:20],
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    return NinjaResponse(
        {
            "id": str(case.public_id),
            "number": case.number,
            "status": case.status,
            "authorisation": str(a.public_id),
        },
        status=201,
    )
