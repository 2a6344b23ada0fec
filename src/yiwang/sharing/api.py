"""JSON API of sharing (mounted in yiwang.api at /api/v1/sharing): the catalogue, resources and
their review, share requests and grants.  Every error answers ``{"code", "message", "fields"}``;
the statuses each operation can answer are listed in the OpenAPI document (``yiwang.api``)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from yiwang.accounts.models import User
from yiwang.accounts.services import staff_roles
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.core.lookups import get_by_public_id_or_404
from yiwang.core.models import Organisation
from yiwang.core.paging import PageIn
from yiwang.sharing import reads, services
from yiwang.sharing.actions import allowed_actions
from yiwang.sharing.errors import SharingErrorCode
from yiwang.sharing.models import Catalogue, Grant, Resource, ResourceStatus, ShareRequest, ShareType
from yiwang.sharing.schemas import (
    SharingCatalogueIn,
    SharingCatalogueOut,
    SharingDecisionIn,
    SharingFieldOut,
    SharingGrantOut,
    SharingReasonIn,
    SharingRequestIn,
    SharingRequestOut,
    SharingResourceIn,
    SharingResourceOut,
    SharingResourcePageOut,
    SharingResourceRowOut,
    SharingReviewIn,
    SharingVersionOut,
)
from yiwang.sharing.services.permissions import official_organisation_id, require_data_official

router = Router(tags=["sharing"])


class SharingResourceFilter(Schema):
    q: str = Field("", max_length=100, description="name or code contains")
    provider: UUID | None = None
    share_type: ShareType | None = None
    catalogue: UUID | None = None
    status: ResourceStatus | None = None


class SharingRequestFilter(Schema):
    side: Literal["consumer", "provider", "all"] = Field("all", description="mine as consumer / as provider")
    status: str = Field("", max_length=10)
    overdue: bool = False


# --- helpers ---------------------------------------------------------------------------------------
def _staff(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not staff_roles(user):
        raise PermissionDenied("仅工作人员可使用共享平台")
    return user


def _official(request: HttpRequest) -> User:
    return require_data_official(_staff(request))


def _resource(user: User, resource_id: UUID) -> Resource:
    resource = get_by_public_id_or_404(
        reads.resource_detail_queryset(), resource_id, code=SharingErrorCode.NOT_FOUND
    )
    if not reads.visible_resources(user).filter(pk=resource.pk).exists():
        raise NotFound("未找到", code=SharingErrorCode.NOT_FOUND)
    return resource


def _share_request(user: User, request_id: UUID) -> ShareRequest:
    return get_by_public_id_or_404(reads.visible_requests(user), request_id, code=SharingErrorCode.NOT_FOUND)


def _catalogue_out(node: dict[str, Any]) -> SharingCatalogueOut:
    catalogue: Catalogue = node["catalogue"]
    return SharingCatalogueOut(
        id=catalogue.public_id,
        kind=catalogue.kind,
        kind_label=str(catalogue.get_kind_display()),
        code=catalogue.code,
        name=catalogue.name,
        organisation=catalogue.organisation.name if catalogue.organisation else None,
        children=[_catalogue_out(child) for child in node["children"]],
    )


def _row(resource: Resource) -> dict[str, Any]:
    return {
        "id": resource.public_id,
        "code": resource.code,
        "name": resource.name,
        "provider": resource.provider.name,
        "share_type": resource.share_type,
        "share_type_label": str(resource.get_share_type_display()),
        "open_type": resource.open_type,
        "status": resource.status,
        "status_label": str(resource.get_status_display()),
        "version": resource.version,
        "published_version": resource.published_version,
    }


def resource_out(user: User, resource: Resource) -> SharingResourceOut:
    return SharingResourceOut(
        **_row(resource),
        description=resource.description,
        format=resource.format,
        update_cycle=resource.update_cycle,
        share_conditions=resource.share_conditions,
        no_share_basis=resource.no_share_basis,
        service=resource.service,
        subject_kind=resource.subject_kind,
        review_note=resource.review_note,
        published_at=resource.published_at,
        catalogues=[c.code for c in resource.catalogues.all()],
        fields=[
            SharingFieldOut(
                name=f.name,
                label=f.label,
                data_type=f.data_type,
                sensitivity=f.sensitivity,
                is_personal=f.is_personal,
                description=f.description,
            )
            for f in resource.fields.all()
        ],
        allowed_actions=sorted(allowed_actions(user, resource)),
    )


def request_out(user: User, share_request: ShareRequest) -> SharingRequestOut:
    return SharingRequestOut(
        id=share_request.public_id,
        resource_id=share_request.resource.public_id,
        resource=share_request.resource.name,
        provider=share_request.resource.provider.name,
        consumer=share_request.consumer.name,
        requester=str(share_request.requester),
        fields=list(share_request.fields),
        purpose=share_request.purpose,
        legal_basis=share_request.legal_basis,
        period_start=share_request.period_start,
        period_end=share_request.period_end,
        status=share_request.status,
        status_label=str(share_request.get_status_display()),
        due_at=share_request.due_at,
        overdue=reads.is_overdue(share_request),
        decided_at=share_request.decided_at,
        decision_note=share_request.decision_note,
        granted_fields=list(share_request.granted_fields),
        granted_until=share_request.granted_until,
        allowed_actions=sorted(allowed_actions(user, share_request)),
    )


def grant_out(user: User, grant: Grant) -> SharingGrantOut:
    return SharingGrantOut(
        id=grant.public_id,
        resource_id=grant.resource.public_id,
        resource=grant.resource.name,
        provider=grant.resource.provider.name,
        consumer=grant.consumer.name,
        fields=list(grant.fields),
        purpose=grant.purpose,
        legal_basis=grant.legal_basis,
        valid_from=grant.valid_from,
        valid_until=grant.valid_until,
        status=grant.status,
        status_label=str(grant.get_status_display()),
        quota_per_day=grant.quota_per_day,
        request_id=grant.from_request.public_id if grant.from_request else None,
        allowed_actions=sorted(allowed_actions(user, grant)),
    )


def _organisation(public_id: UUID | None, user: User) -> Organisation:
    if public_id is not None:
        return get_by_public_id_or_404(Organisation.objects.all(), public_id, message="机构不存在")
    organisation_id = official_organisation_id(user)
    found = None if organisation_id is None else Organisation.objects.filter(pk=organisation_id).first()
    if found is None:
        raise NotFound("机构不存在")
    return found


def _definition(payload: SharingResourceIn) -> dict[str, Any]:
    data = payload.model_dump(exclude={"provider_id", "catalogue_ids", "fields"})
    return {key: str(value) if value is not None else "" for key, value in data.items()}


# --- catalogue --------------------------------------------------------------------------------------
@router.get("/catalogues", response=list[SharingCatalogueOut], summary="The catalogue tree (资源目录)")
def catalogues(request: HttpRequest) -> list[SharingCatalogueOut]:
    _staff(request)
    return [_catalogue_out(node) for node in reads.catalogue_tree()]


@router.post("/catalogues", response={201: SharingCatalogueOut}, summary="Create a catalogue (新建目录)")
def create_catalogue(request: HttpRequest, payload: SharingCatalogueIn) -> Status[SharingCatalogueOut]:
    user = _official(request)
    parent = None
    if payload.parent_id is not None:
        parent = get_by_public_id_or_404(
            Catalogue.objects.all(), payload.parent_id, code=SharingErrorCode.NOT_FOUND
        )
    organisation = _organisation(payload.organisation_id, user) if payload.organisation_id else None
    catalogue = services.create_catalogue(
        actor=user,
        kind=payload.kind,
        code=payload.code,
        name=payload.name,
        parent=parent,
        organisation=organisation,
        description=payload.description,
        order=payload.order,
    )
    return Status(201, _catalogue_out({"catalogue": catalogue, "children": []}))


# --- resources --------------------------------------------------------------------------------------
@router.get("/resources", response=SharingResourcePageOut, summary="Resources (信息资源), searched and paged")
def resources(
    request: HttpRequest, filters: Query[SharingResourceFilter], paging: Query[PageIn]
) -> SharingResourcePageOut:
    user = _staff(request)
    qs = reads.search_resources(
        user,
        q=filters.q.strip(),
        provider=filters.provider,
        share_type=filters.share_type or "",
        catalogue=filters.catalogue,
        status=filters.status or "",
    )
    return SharingResourcePageOut(
        count=qs.count(), items=[SharingResourceRowOut(**_row(r)) for r in paging.window(qs)]
    )


@router.post("/resources", response={201: SharingResourceOut}, summary="Catalogue a resource (编目, draft)")
def create_resource(request: HttpRequest, payload: SharingResourceIn) -> Status[SharingResourceOut]:
    user = _official(request)
    resource = services.create_resource(
        actor=user,
        provider=_organisation(payload.provider_id, user),
        definition=_definition(payload),
        fields=[f.model_dump() for f in payload.fields],
        catalogue_ids=payload.catalogue_ids,
    )
    return Status(201, resource_out(user, _resource(user, resource.public_id)))


@router.get("/resources/{uuid:resource_id}", response=SharingResourceOut, summary="Resource detail")
def resource_detail(request: HttpRequest, resource_id: UUID) -> SharingResourceOut:
    user = _staff(request)
    return resource_out(user, _resource(user, resource_id))


@router.put(
    "/resources/{uuid:resource_id}",
    response=SharingResourceOut,
    summary="Edit a resource (a published one starts its next version as a draft)",
)
def edit_resource(request: HttpRequest, resource_id: UUID, payload: SharingResourceIn) -> SharingResourceOut:
    user = _official(request)
    resource = services.update_resource(
        _resource(user, resource_id),
        actor=user,
        definition=_definition(payload),
        fields=[f.model_dump() for f in payload.fields],
        catalogue_ids=payload.catalogue_ids,
    )
    return resource_out(user, _resource(user, resource.public_id))


@router.post("/resources/{uuid:resource_id}/submit", response=SharingResourceOut, summary="Submit for review")
def submit_resource(request: HttpRequest, resource_id: UUID) -> SharingResourceOut:
    user = _official(request)
    services.submit_resource(_resource(user, resource_id), actor=user)
    return resource_out(user, _resource(user, resource_id))


@router.post(
    "/resources/{uuid:resource_id}/review",
    response=SharingResourceOut,
    summary="Review: approve (publish a version) or return (审核)",
)
def review_resource(request: HttpRequest, resource_id: UUID, payload: SharingReviewIn) -> SharingResourceOut:
    user = _official(request)
    services.review_resource(
        _resource(user, resource_id), actor=user, approve=payload.approve, note=payload.note
    )
    return resource_out(user, _resource(user, resource_id))


@router.post("/resources/{uuid:resource_id}/retire", response=SharingResourceOut, summary="Retire (停用)")
def retire_resource(request: HttpRequest, resource_id: UUID, payload: SharingReasonIn) -> SharingResourceOut:
    user = _official(request)
    services.retire_resource(_resource(user, resource_id), actor=user, reason=payload.reason)
    return resource_out(user, _resource(user, resource_id))


@router.get(
    "/resources/{uuid:resource_id}/versions", response=list[SharingVersionOut], summary="Published versions"
)
def resource_versions(request: HttpRequest, resource_id: UUID) -> list[SharingVersionOut]:
    resource = _resource(_staff(request), resource_id)
    return [
        SharingVersionOut(
            number=v.number,
            published_at=v.published_at,
            published_by=str(v.published_by) if v.published_by else None,
            snapshot=v.snapshot,
        )
        for v in resource.versions.select_related("published_by").order_by("-number")[:100]
    ]


# --- requests ---------------------------------------------------------------------------------------
@router.post("/requests", response={201: SharingRequestOut}, summary="Request a resource (申请共享)")
def create_request(request: HttpRequest, payload: SharingRequestIn) -> Status[SharingRequestOut]:
    user = _official(request)
    resource = _resource(user, payload.resource_id)
    share_request = services.request_resource(
        actor=user,
        resource=resource,
        fields=payload.fields,
        purpose=payload.purpose,
        legal_basis=payload.legal_basis,
        period_start=payload.period_start,
        period_end=payload.period_end,
    )
    return Status(201, request_out(user, _share_request(user, share_request.public_id)))


@router.get("/requests", response=list[SharingRequestOut], summary="Requests of my organisation")
def list_requests(
    request: HttpRequest, filters: Query[SharingRequestFilter], paging: Query[PageIn]
) -> list[SharingRequestOut]:
    user = _official(request)
    qs = {
        "consumer": reads.requests_as_consumer,
        "provider": reads.requests_as_provider,
        "all": reads.visible_requests,
    }[filters.side](user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = reads.overdue(qs)
    return [request_out(user, r) for r in paging.window(qs.order_by("-created_at", "-pk"))]


@router.get("/requests/{uuid:request_id}", response=SharingRequestOut, summary="Request detail")
def request_detail(request: HttpRequest, request_id: UUID) -> SharingRequestOut:
    user = _official(request)
    return request_out(user, _share_request(user, request_id))


@router.post(
    "/requests/{uuid:request_id}/decision",
    response=SharingRequestOut,
    summary="Decide: approve, narrow or refuse (答复)",
)
def decide_request(request: HttpRequest, request_id: UUID, payload: SharingDecisionIn) -> SharingRequestOut:
    user = _official(request)
    services.decide_request(
        _share_request(user, request_id),
        actor=user,
        decision=payload.decision,
        note=payload.note,
        fields=payload.fields,
        period_end=payload.period_end,
        quota_per_day=payload.quota_per_day,
    )
    return request_out(user, _share_request(user, request_id))


@router.post("/requests/{uuid:request_id}/withdraw", response=SharingRequestOut, summary="Withdraw (撤回)")
def withdraw_request(request: HttpRequest, request_id: UUID) -> SharingRequestOut:
    user = _official(request)
    services.withdraw_request(_share_request(user, request_id), actor=user)
    return request_out(user, _share_request(user, request_id))


# --- grants -----------------------------------------------------------------------------------------
@router.get("/grants", response=list[SharingGrantOut], summary="Grants to or from my organisation")
def list_grants(request: HttpRequest, paging: Query[PageIn], status: str = "") -> list[SharingGrantOut]:
    user = _official(request)
    qs = reads.visible_grants(user).select_related("from_request")
    if status:
        qs = qs.filter(status=status[:10])
    return [grant_out(user, g) for g in paging.window(qs.order_by("-valid_from", "-pk"))]


@router.post("/grants/{uuid:grant_id}/revoke", response=SharingGrantOut, summary="Revoke a grant (撤销)")
def revoke_grant(request: HttpRequest, grant_id: UUID, payload: SharingReasonIn) -> SharingGrantOut:
    user = _official(request)
    grant = get_by_public_id_or_404(reads.visible_grants(user), grant_id, code=SharingErrorCode.NOT_FOUND)
    services.revoke_grant(grant, actor=user, reason=payload.reason)
    grant.refresh_from_db()
    return grant_out(user, grant)
