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

from yiwang.catalog import cache as catalog_cache
from yiwang.catalog import services
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import ItemStatus
from yiwang.catalog.schemas import (
    DepartmentOut,
    ItemGuideOut,
    ItemListOut,
    ItemStateOut,
    ItemWithdrawIn,
    summary_dict,
)
from yiwang.catalog.search import search_items
from yiwang.core.errors import CoreErrorCode, DomainError, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.core.paging import ShortPageIn

router = Router(tags=["catalog"])


@router.get("/items", response=ItemListOut, auth=None, summary="检索已发布事项")
def list_items(
    request: HttpRequest,
    paging: Query[ShortPageIn],
    q: str = Query("", max_length=100, description="关键词、全拼或拼音首字母"),  # type: ignore[type-arg]
    department: str | None = Query(None, description="实施部门 public_id"),  # type: ignore[type-arg]
    theme: str | None = Query(None, max_length=3, description="主题分类代码, e.g. p01"),  # type: ignore[type-arg]
    service_object: str | None = Query(None, max_length=1, description="服务对象代码 1–6"),  # type: ignore[type-arg]
    level: str | None = Query(None, max_length=1, description="行使层级代码 1–7"),  # type: ignore[type-arg]
    online_step: str | None = Query(None, max_length=1, description="网办深度环节代码 1–8"),  # type: ignore[type-arg]
    fully_online: bool = Query(False, description="只看全程网办"),  # type: ignore[type-arg]
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "q": q,
        "department": department or None,
        "limit": paging.limit,
        "offset": paging.offset,
        "theme": theme or None,
        "service_object": service_object or None,
        "level": level or None,
        "online_step": online_step or None,
        "fully_online": fully_online,
    }

    def compute() -> dict[str, Any]:
        items, count = search_items(
            q,
            published_only=True,
            department=department or None,
            limit=paging.limit,
            offset=paging.offset,
            theme=theme or None,
            service_object=service_object or None,
            level=level or None,
            online_step=online_step or None,
            fully_online=fully_online,
        )
        return {"items": [summary_dict(item) for item in items], "count": count}

    return catalog_cache.cached("search", params, compute)


@router.get("/items/{public_id}", response=ItemGuideOut, auth=None, summary="办事指南")
def item_guide(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return catalog_cache.cached(
        "guide",
        str(public_id),
        lambda: services.guide_snapshot(services.get_published_item(public_id), scenarios=False),
    )


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


def _withdraw_payload(request: HttpRequest) -> ItemWithdrawIn:
    """The optional body ``{"reason": ...}`` (JSON, or a form field); no body means no reason."""
    try:
        if request.content_type == "application/json" and request.body.strip():
            return ItemWithdrawIn.model_validate_json(request.body)
        return ItemWithdrawIn.model_validate({"reason": request.POST.get("reason", "")})
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
            "content": {"application/json": {"schema": ItemWithdrawIn.model_json_schema()}},
        }
    },
)
def withdraw(request: HttpRequest, public_id: str) -> dict[str, Any]:
    user = _require_manager(request)
    payload = _withdraw_payload(request)
    item = services.withdraw_item(services.get_item(public_id), user, reason=payload.reason)
    return _state(item)


# --- staff: catalogue governance (drafts, review, versions, consistency) in api_manage.py ----------
from yiwang.catalog.api_manage import manage_router  # noqa: E402

router.add_router("/manage", manage_router)


# --- public: discovery and channels (情形引导, 一件事, 主题) --------------------------------------------
# Owned by the discovery work (scenarios, bundles, search); no login, published content only.
from yiwang.catalog import bundles as bundle_services  # noqa: E402
from yiwang.catalog.models import Theme  # noqa: E402
from yiwang.catalog.scenarios import answers_from_params, applicable  # noqa: E402
from yiwang.catalog.schemas import BundleGuideOut, BundleSummaryOut, ScenarioOut, ThemeOut  # noqa: E402


@router.get("/items/{public_id}/scenarios", response=ScenarioOut, auth=None, summary="情形引导")
def item_scenarios(request: HttpRequest, public_id: str) -> dict[str, Any]:
    """The item's questions and the conditions and materials that apply; answers as ``s_<key>=<value>``
    query parameters (the same as the guide page)."""
    item = services.get_published_item(public_id)
    result = applicable(item, answers_from_params(request.GET))

    def material(m: Any) -> dict[str, Any]:
        return {"public_id": m.public_id, "name": m.name, "mandatory": m.mandatory}

    return {
        "item_public_id": item.public_id,
        "complete": result.complete,
        "answers": result.answers,
        "questions": [
            {
                "key": q.key,
                "param": q.param,
                "text": q.text,
                "help_text": q.help_text,
                "answer": q.answer,
                "options": [{"value": o.value, "label": o.label, "selected": o.selected} for o in q.options],
            }
            for q in result.questions
        ],
        "conditions": [c.text for c in result.conditions],
        "materials": [material(m) for m in result.materials],
        "excluded_materials": [material(m) for m in result.excluded_materials],
    }


@router.get("/bundles", response=list[BundleSummaryOut], auth=None, summary="一件事列表")
def list_bundles(
    request: HttpRequest,
    audience: str | None = Query(None, description="person 个人 / business 企业"),  # type: ignore[type-arg]
) -> list[dict[str, Any]]:
    return [bundle_services.bundle_dict(b) for b in bundle_services.list_bundles(audience or None)]


@router.get("/bundles/{public_id}", response=BundleGuideOut, auth=None, summary="一件事指南")
def bundle_guide(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return bundle_services.bundle_dict(bundle_services.get_published_bundle(public_id), detail=True)


@router.get("/themes", response=list[ThemeOut], auth=None, summary="主题分类")
def themes(request: HttpRequest) -> list[dict[str, str]]:
    return [{"code": str(code), "label": str(label)} for code, label in Theme.choices]
