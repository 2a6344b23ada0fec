"""Catalogue JSON API, mounted at /api/v1/catalog.

Public (no login): the item list and search, the guide of a published item, the departments.
Staff (事项管理员 service_manager): publish and withdraw.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Query, Router
from pydantic import ValidationError as PydanticValidationError

from yiwang.catalog import services
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import ItemStatus
from yiwang.catalog.schemas import (
    DepartmentOut,
    ItemGuideOut,
    ItemListOut,
    ItemStateOut,
    WithdrawIn,
    summary_dict,
)
from yiwang.catalog.search import MAX_LIMIT, search_items
from yiwang.core.errors import CoreErrorCode, DomainError, PermissionDenied
from yiwang.core.models import Organisation

router = Router(tags=["catalog"])


@router.get("/items", response=ItemListOut, auth=None, summary="检索已发布事项")
def list_items(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="关键词、全拼或拼音首字母"),  # type: ignore[type-arg]
    department: str | None = Query(None, description="实施部门 public_id"),  # type: ignore[type-arg]
    limit: int = Query(20, ge=1, le=MAX_LIMIT),  # type: ignore[type-arg]
    offset: int = Query(0, ge=0),  # type: ignore[type-arg]
) -> dict[str, Any]:
    items, count = search_items(
        q, published_only=True, department=department or None, limit=limit, offset=offset
    )
    return {"items": [summary_dict(item) for item in items], "count": count}


@router.get("/items/{public_id}", response=ItemGuideOut, auth=None, summary="办事指南")
def item_guide(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return services.guide_snapshot(services.get_published_item(public_id))


@router.get("/departments", response=list[DepartmentOut], auth=None, summary="有已发布事项的部门")
def departments(request: HttpRequest) -> list[dict[str, Any]]:
    published = Q(service_items__status=ItemStatus.PUBLISHED)
    organisations = (
        Organisation.objects.filter(is_active=True)
        .select_related("region")
        .annotate(item_count=Count("service_items", filter=published))
        .filter(item_count__gt=0)
        .order_by("region__full_code", "name")
    )
    return [
        {
            "public_id": org.public_id,
            "name": org.name,
            "short_name": org.short_name,
            "credit_code": org.credit_code,
            "region_code": org.region.code,
            "region_name": org.region.name,
            "address": org.address,
            "phone": org.phone,
            "office_hours": org.office_hours,
            "item_count": org.item_count,  # type: ignore[attr-defined]
        }
        for org in organisations
    ]


def _require_manager(request: HttpRequest) -> Any:
    user = request.user
    if not services.is_service_manager(user):
        raise PermissionDenied("需要事项管理员角色", code=CatalogErrorCode.ROLE_REQUIRED)
    return user


def _state(item: Any) -> dict[str, Any]:
    return {
        "public_id": item.public_id,
        "name": item.name,
        "status": item.status,
        "version": item.version,
        "published_at": item.published_at,
    }


@router.post("/items/{public_id}/publish", response=ItemStateOut, summary="发布事项（事项管理员）")
def publish(request: HttpRequest, public_id: str) -> dict[str, Any]:
    user = _require_manager(request)
    item = services.publish_item(services.get_item(public_id), user)
    return _state(item)


def _withdraw_payload(request: HttpRequest) -> WithdrawIn:
    """The optional body ``{"reason": ...}`` (JSON, or a form field); no body means no reason."""
    try:
        if request.content_type == "application/json" and request.body.strip():
            return WithdrawIn.model_validate_json(request.body)
        return WithdrawIn.model_validate({"reason": request.POST.get("reason", "")})
    except PydanticValidationError as exc:
        fields = {
            ".".join(str(p) for p in error["loc"]) or "__all__": [error["msg"]] for error in exc.errors()
        }
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, "请求参数不正确", fields, status=422) from exc


@router.post(
    "/items/{public_id}/withdraw",
    response=ItemStateOut,
    summary="撤销发布（事项管理员）",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": WithdrawIn.model_json_schema()}},
        }
    },
)
def withdraw(request: HttpRequest, public_id: str) -> dict[str, Any]:
    user = _require_manager(request)
    payload = _withdraw_payload(request)
    item = services.withdraw_item(services.get_item(public_id), user, reason=payload.reason)
    return _state(item)
