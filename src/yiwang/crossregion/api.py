"""JSON API of the crossregion app (/api/v1/crossregion/).  Errors answer ``{"code","message","fields"}``.

Peer nodes: ``GET /node/items`` (signed node request) — this instance's items open to filing
elsewhere.  Applicants: ``GET /items`` (the peers' items), ``POST /cases`` (multipart: ``item``,
``field_<key>`` and ``material_<material id>`` files) and ``GET /cases``, ``GET /cases/{id}`` (theirs).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.oidc import issuer as oidc_issuer
from yiwang.catalog.forms import parse_post
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.openapi import multipart_body
from yiwang.crossregion import reads, services
from yiwang.crossregion.errors import CrossregionErrorCode
from yiwang.crossregion.models import RemoteCase, RemoteItem
from yiwang.crossregion.schemas import CrossregionCaseOut, CrossregionItemOut, CrossregionNodeItemsOut
from yiwang.exchange.node_auth import NodeSignatureAuth
from yiwang.web.ui import current_user

router = Router(tags=["crossregion"])
node_auth = NodeSignatureAuth()
FIELD_PREFIX = "field_"
MATERIAL_PREFIX = "material_"


def applicant(request: HttpRequest) -> User:
    user = current_user(request)
    if user.kind == AccountKind.STAFF:
        raise PermissionDenied("跨域通办仅供申请人使用", code=CrossregionErrorCode.FORBIDDEN)
    return user


def item_out(item: RemoteItem) -> dict[str, Any]:
    return {
        "id": item.public_id,
        "region": item.region.name,
        "node": item.region.node.node_id,
        "code": item.code,
        "name": item.name,
        "department": item.department,
        "tongban_range": item.tongban_range,
        "required_assurance_level": item.required_assurance_level,
        "materials": item.materials,
        "form_definition": item.form_definition,
    }


def case_out(case: RemoteCase) -> dict[str, Any]:
    return {
        "id": case.public_id,
        "item": case.item.name,
        "item_id": case.item.public_id,
        "region": case.item.region.name,
        "state": case.state,
        "number": case.number,
        "status": case.status,
        "status_label": case.status_label,
        "refused_code": case.refused_code,
        "refused_reason": case.refused_reason,
        "submitted_at": case.submitted_at,
        "history": case.history,
    }


def remote_item(item_id: Any) -> RemoteItem:
    try:
        key = UUID(str(item_id))
    except ValueError as exc:
        raise DomainError(CrossregionErrorCode.INVALID_INPUT, "事项标识不正确", {"item": ["无效"]}) from exc
    item = reads.remote_items().filter(public_id=key).first()
    if item is None:
        raise DomainError(CrossregionErrorCode.NOT_FOUND, "未找到该跨域通办事项", status=404)
    return item


def my_case(user: User, case_id: UUID) -> RemoteCase:
    case = reads.my_remote_cases(user).filter(public_id=case_id).first()
    if case is None:
        raise DomainError(CrossregionErrorCode.NOT_FOUND, "未找到该跨域办件", status=404)
    return case


@router.get(
    "/node/items",
    auth=node_auth,
    response=CrossregionNodeItemsOut,
    summary="本地区可跨域办理的事项（节点签名请求）",
)
def node_items(request: HttpRequest) -> dict[str, Any]:
    return reads.node_listing()


@router.get("/items", response=list[CrossregionItemOut], summary="跨域通办：其他地区可在本平台申请的事项")
def list_items(request: HttpRequest) -> list[dict[str, Any]]:
    applicant(request)
    return [item_out(item) for item in reads.remote_items()]


@router.post(
    "/cases",
    response={201: CrossregionCaseOut},
    summary="跨域通办：提交申请（multipart；field_<字段>、material_<材料标识>）",
    openapi_extra=multipart_body(
        {"item": {"type": "string", "format": "uuid", "description": "跨域通办事项（/items 的 id）"}},
        required=("item",),
    ),
)
def file_case(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    user = applicant(request)
    item = remote_item(request.POST.get("item", ""))
    form_data = parse_post(item.form_definition, request.POST, FIELD_PREFIX)
    files = {
        key[len(MATERIAL_PREFIX) :]: request.FILES.getlist(key)
        for key in request.FILES
        if key.startswith(MATERIAL_PREFIX)
    }
    case = services.file_remote_case(
        applicant=user, item=item, form_data=form_data, files=files, issuer=oidc_issuer(request)
    )
    return 201, case_out(case)


@router.get("/cases", response=list[CrossregionCaseOut], summary="跨域通办：我的跨域办件")
def list_cases(request: HttpRequest) -> list[dict[str, Any]]:
    return [case_out(case) for case in reads.my_remote_cases(applicant(request))[:200]]


@router.get("/cases/{uuid:case_id}", response=CrossregionCaseOut, summary="跨域通办：一件跨域办件及其进度")
def read_case(request: HttpRequest, case_id: UUID) -> dict[str, Any]:
    return case_out(my_case(applicant(request), case_id))
