"""Staff catalogue API (事项管理, service managers only), mounted at /api/v1/catalog/manage.

Drafts (create, update, revision of a published item), submit, review (by a *different* manager),
schedule, versions, field-level diff, base items and the 四级四同 consistency report.  Publish and
withdraw are in :mod:`yiwang.catalog.api`.  Every endpoint calls :mod:`yiwang.catalog.services`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from yiwang.catalog import services
from yiwang.catalog.consistency import consistency_report
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import BaseItem, ServiceItem
from yiwang.catalog.scenarios import define_scenarios, scenario_definition
from yiwang.catalog.schemas_manage import (
    BaseItemIn,
    BaseItemOut,
    CommentIn,
    ConsistencyOut,
    DiffOut,
    ItemCreateIn,
    ItemFieldsIn,
    ItemReviewIn,
    ManagedItemOut,
    ScenariosIn,
    ScenariosOut,
    ScheduleIn,
    VersionOut,
)
from yiwang.core.errors import CoreErrorCode, DomainError, NotFound, PermissionDenied
from yiwang.core.inputs import MAX_DB_INT
from yiwang.core.models import Organisation, Region

manage_router = Router(tags=["catalog-manage"])


def _manager(request: HttpRequest) -> Any:
    user = request.user
    if not services.is_service_manager(user):
        raise PermissionDenied("需要事项管理员角色", code=CatalogErrorCode.ROLE_REQUIRED)
    return user


def _item_in_scope(request: HttpRequest, public_id: str) -> tuple[Any, ServiceItem]:
    user = _manager(request)
    item = services.get_item(public_id)
    services.require_manager(user, item.region)
    return user, item


def _managed(item: ServiceItem) -> dict[str, Any]:
    return {
        "public_id": item.public_id,
        "name": item.name,
        "status": item.status,
        "version": item.version,
        "implementation_code": item.implementation_code,
        "base_code": item.base_code,
        "revision_of": item.revision_of.public_id if item.revision_of_id else None,  # type: ignore[union-attr]
        "publish_at": item.publish_at,
        "withdraw_at": item.withdraw_at,
        "submitted_at": item.submitted_at,
        "reviewed_at": item.reviewed_at,
        "review_comment": item.review_comment,
        "published_at": item.published_at,
    }


@manage_router.post("/items", response={201: ManagedItemOut}, summary="新建实施清单草稿")
def create_draft(request: HttpRequest, payload: ItemCreateIn) -> Status[dict[str, Any]]:
    user = _manager(request)
    body = Organisation.objects.select_related("region").filter(public_id=payload.implementing_body).first()
    if body is None:
        raise NotFound("实施主体不存在")
    base = services.get_base_item(payload.base_item)
    fields, materials, fee_items = payload.service_arguments()
    item = services.create_item(
        actor=user,
        implementing_body=body,
        base_item=base,
        materials=materials or [],
        fee_items=fee_items or [],
        **fields,
    )
    return Status(201, _managed(item))


@manage_router.patch("/items/{public_id}", response=ManagedItemOut, summary="修改草稿")
def update_draft(request: HttpRequest, public_id: str, payload: ItemFieldsIn) -> dict[str, Any]:
    user, item = _item_in_scope(request, public_id)
    fields, materials, fee_items = payload.service_arguments()
    services.update_item(item, actor=user, materials=materials, fee_items=fee_items, **fields)
    return _managed(item)


@manage_router.post("/items/{public_id}/revision", response={201: ManagedItemOut}, summary="新建修订稿")
def start_revision(request: HttpRequest, public_id: str) -> Status[dict[str, Any]]:
    user, item = _item_in_scope(request, public_id)
    return Status(201, _managed(services.start_revision(item, user)))


@manage_router.get("/items/{public_id}/scenarios", response=ScenariosOut, summary="情形引导（草稿或修订稿）")
def get_scenarios(request: HttpRequest, public_id: str) -> dict[str, Any]:
    _user, item = _item_in_scope(request, public_id)
    return scenario_definition(item)


@manage_router.put(
    "/items/{public_id}/scenarios", response=ScenariosOut, summary="设置情形引导（草稿或修订稿）"
)
def put_scenarios(request: HttpRequest, public_id: str, payload: ScenariosIn) -> dict[str, Any]:
    user, item = _item_in_scope(request, public_id)
    define_scenarios(item, actor=user, questions=payload.questions, conditions=payload.conditions)
    return scenario_definition(item)


@manage_router.post("/items/{public_id}/submit", response=ManagedItemOut, summary="提交审核")
def submit(request: HttpRequest, public_id: str, payload: CommentIn) -> dict[str, Any]:
    user, item = _item_in_scope(request, public_id)
    return _managed(services.submit_item(item, user, payload.comment))


@manage_router.post("/items/{public_id}/review", response=ManagedItemOut, summary="审核（通过/退回）")
def review(request: HttpRequest, public_id: str, payload: ItemReviewIn) -> dict[str, Any]:
    user, item = _item_in_scope(request, public_id)
    return _managed(services.review_item(item, user, approve=payload.approve, comment=payload.comment))


@manage_router.post("/items/{public_id}/schedule", response=ManagedItemOut, summary="定时发布/撤销")
def schedule(request: HttpRequest, public_id: str, payload: ScheduleIn) -> dict[str, Any]:
    user, item = _item_in_scope(request, public_id)
    services.schedule_item(item, user, publish_at=payload.publish_at, withdraw_at=payload.withdraw_at)
    return _managed(item)


@manage_router.get("/items/{public_id}/versions", response=list[VersionOut], summary="版本历史")
def versions(request: HttpRequest, public_id: str) -> list[dict[str, Any]]:
    _user, item = _item_in_scope(request, public_id)
    return [
        {
            "version": v.version,
            "published_at": v.published_at,
            "published_by": str(v.published_by or "系统"),
            "reviewed_by": str(v.reviewed_by or ""),
            "review_comment": v.review_comment,
            "snapshot": v.snapshot,
        }
        for v in services.versions_of(item)
    ]


@manage_router.get("/items/{public_id}/diff", response=DiffOut, summary="字段级比对")
def diff(
    request: HttpRequest,
    public_id: str,
    old: int | None = Query(None, ge=1, le=MAX_DB_INT, description="旧版本号"),  # type: ignore[type-arg]
    new: int | None = Query(None, ge=1, le=MAX_DB_INT, description="新版本号"),  # type: ignore[type-arg]
) -> dict[str, Any]:
    """Two version numbers compare those versions; none compares the draft with its published version."""
    _user, item = _item_in_scope(request, public_id)
    if old is None and new is None:
        rows = services.diff_with_published(item)
        labels = ("published", "draft")
    elif old is not None and new is not None:
        rows = services.diff_versions(item, old, new)
        labels = (str(old), str(new))
    else:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "请同时给出 old 和 new，或都不给",
            {"old": ["须成对给出"]},
            status=422,
        )
    return {"old": labels[0], "new": labels[1], "rows": [row.as_dict() for row in rows]}


@manage_router.post("/base-items", response={201: BaseItemOut}, summary="新增基本目录事项")
def create_base_item(request: HttpRequest, payload: BaseItemIn) -> Status[BaseItem]:
    user = _manager(request)
    region = Region.objects.filter(code=payload.defining_region).first()
    if region is None:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            "行政区划不存在",
            {"defining_region": ["未知的行政区划代码"]},
            status=422,
        )
    data = payload.model_dump()
    data.pop("defining_region")
    return Status(201, services.create_base_item(actor=user, defining_region=region, **data))


@manage_router.get("/consistency", response=ConsistencyOut, summary="四级四同一致性报告")
def consistency(
    request: HttpRequest,
    region: str = Query("", max_length=12, description="行政区划代码，默认本人所在区划"),  # type: ignore[type-arg]
) -> dict[str, Any]:
    user = _manager(request)
    own = user.staff_profile.organisation.region
    scope = own
    if region:
        scope = Region.objects.filter(code=region).first()
        if scope is None:
            raise NotFound("行政区划不存在")
        services.require_manager(user, scope)
    violations = consistency_report(scope)
    return {"region": scope.name, "count": len(violations), "violations": [v.as_dict() for v in violations]}
