"""JSON API of opendata (mounted in yiwang.api at /api/v1/open-data): the public catalogue and its
downloads, publishing by data officials, and bulk-access keys.  Downloads take an optional
``X-Open-Data-Key`` header: with a key they count against its daily quota, without one against the
caller's address (rate limited)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Query, Router, Status

from yiwang.accounts.models import User
from yiwang.core.errors import NotFound
from yiwang.core.middleware import client_ip
from yiwang.core.paging import PageIn
from yiwang.opendata import reads, services
from yiwang.opendata.actions import allowed_actions
from yiwang.opendata.errors import OpendataErrorCode
from yiwang.opendata.models import Dataset, Distribution, OpenDataKey
from yiwang.opendata.schemas import (
    OpendataBulkEntryOut,
    OpendataDatasetFilter,
    OpendataDatasetIn,
    OpendataDatasetOut,
    OpendataDatasetPageOut,
    OpendataDatasetPatchIn,
    OpendataDatasetRowOut,
    OpendataDistributionOut,
    OpendataIssuedKeyOut,
    OpendataKeyIn,
    OpendataKeyOut,
    OpendataReasonIn,
    OpendataThemeOut,
)
from yiwang.sharing.models import Resource
from yiwang.sharing.services.permissions import official_organisation_id, require_data_official

router = Router(tags=["opendata"])
KEY_HEADER = "X-Open-Data-Key"
Format = Literal["csv", "json", "xlsx"]


def _not_found() -> NotFound:
    return NotFound("未找到", code=OpendataErrorCode.NOT_FOUND)


def _public(dataset_id: UUID) -> Dataset:
    dataset = reads.dataset(dataset_id)
    if dataset is None:
        raise _not_found()
    return dataset


def _managed(user: User, dataset_id: UUID) -> Dataset:
    require_data_official(user)
    dataset = reads.managed_datasets(official_organisation_id(user)).filter(public_id=dataset_id).first()
    if dataset is None:
        raise _not_found()
    return dataset


def distribution_out(dataset: Dataset, distribution: Distribution) -> OpendataDistributionOut:
    return OpendataDistributionOut(
        format=distribution.format,
        media_type=distribution.media_type,
        download_url=reverse("opendata:download", args=[dataset.public_id, distribution.format]),
        ready=distribution.generated_at is not None,
        byte_size=distribution.byte_size,
        sha256=distribution.sha256,
        row_count=distribution.row_count,
        columns=list(distribution.columns),
        generated_at=distribution.generated_at,
        download_count=distribution.download_count,
    )


def row_out(dataset: Dataset) -> dict[str, Any]:
    return {
        "id": dataset.public_id,
        "title": dataset.title,
        "theme": dataset.theme,
        "theme_label": str(dataset.get_theme_display()),
        "publisher": dataset.publisher.name,
        "keywords": list(dataset.keywords),
        "licence": dataset.licence,
        "modified": dataset.modified,
        "download_count": dataset.download_count,
        "formats": [d.format for d in dataset.distributions.all()],
    }


def dataset_out(user: Any, dataset: Dataset) -> OpendataDatasetOut:
    return OpendataDatasetOut(
        **row_out(dataset),
        description=dataset.description,
        licence_label=str(dataset.get_licence_display()),
        licence_note=dataset.licence_note,
        update_frequency=dataset.update_frequency,
        issued=dataset.issued,
        status=dataset.status,
        resource_code=dataset.resource.code,
        jsonld_url=reverse("opendata:dataset_jsonld", args=[dataset.public_id]),
        distributions=[distribution_out(dataset, d) for d in dataset.distributions.all()],
        allowed_actions=allowed_actions(user, dataset),
    )


def key_out(key: OpenDataKey) -> dict[str, Any]:
    return {
        "id": key.public_id,
        "name": key.name,
        "prefix": key.prefix,
        "daily_quota": key.daily_quota,
        "used_today": services.usage_today(key),
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


def request_key(request: HttpRequest) -> OpenDataKey | None:
    """The open-data key sent with the request (401 if one is sent and it is not valid)."""
    secret = request.headers.get(KEY_HEADER, "")
    return services.authenticate_key(secret) if secret else None


def download(request: HttpRequest, dataset: Dataset, fmt: str) -> FileResponse:
    """Serve one distribution, after charging the key or the address (shared with the page)."""
    distribution = next((d for d in dataset.distributions.all() if d.format == fmt), None)
    if distribution is None:
        raise _not_found()
    if distribution.generated_at is None or not distribution.file:
        raise NotFound("文件正在生成，请稍后再试", code=OpendataErrorCode.NOT_READY)
    services.record_download(distribution, key=request_key(request), address=client_ip(request))
    response = FileResponse(
        distribution.file.open("rb"),
        as_attachment=True,
        filename=f"{dataset.public_id}.{fmt}",
        content_type=distribution.media_type,
    )
    response["X-Content-SHA256"] = distribution.sha256
    return response


# --- public -----------------------------------------------------------------------------------------
@router.get("/datasets", response=OpendataDatasetPageOut, auth=None, summary="开放数据集（检索、分页）")
def datasets(
    request: HttpRequest, filters: Query[OpendataDatasetFilter], paging: Query[PageIn]
) -> OpendataDatasetPageOut:
    qs = reads.search_datasets(filters.q, filters.theme or "", filters.publisher)
    rows = list(qs[paging.offset : paging.offset + paging.limit])
    return OpendataDatasetPageOut(count=qs.count(), items=[OpendataDatasetRowOut(**row_out(d)) for d in rows])


@router.get("/themes", response=list[OpendataThemeOut], auth=None, summary="主题及数据集数量")
def themes(request: HttpRequest) -> list[OpendataThemeOut]:
    return [OpendataThemeOut(**theme) for theme in reads.themes()]


@router.get("/datasets/{uuid:dataset_id}", response=OpendataDatasetOut, auth=None, summary="数据集详情")
def dataset_detail(request: HttpRequest, dataset_id: UUID) -> OpendataDatasetOut:
    return dataset_out(request.user, _public(dataset_id))


@router.get(
    "/datasets/{uuid:dataset_id}/download/{fmt}",
    auth=None,
    response={200: None},
    summary="下载（可带 X-Open-Data-Key；匿名下载按地址限频）",
)
def dataset_download(request: HttpRequest, dataset_id: UUID, fmt: Format) -> FileResponse:
    return download(request, _public(dataset_id), fmt)


@router.get(
    "/bulk", response=list[OpendataBulkEntryOut], auth=None, summary="批量获取清单（须 X-Open-Data-Key）"
)
def bulk(request: HttpRequest, paging: Query[PageIn]) -> list[OpendataBulkEntryOut]:
    if request_key(request) is None:
        services.authenticate_key("")  # refuses: bulk access needs a key
    rows = list(reads.public_datasets().order_by("pk")[paging.offset : paging.offset + paging.limit])
    return [
        OpendataBulkEntryOut(
            id=d.public_id,
            title=d.title,
            modified=d.modified,
            distributions=[distribution_out(d, x) for x in d.distributions.all()],
        )
        for d in rows
    ]


# --- publishing (data officials of the provider) -------------------------------------------------------
@router.get("/manage/datasets", response=list[OpendataDatasetOut], summary="本部门的开放数据集（含已撤回）")
def managed(request: HttpRequest, paging: Query[PageIn]) -> list[OpendataDatasetOut]:
    user: User = request.user  # type: ignore[assignment]
    require_data_official(user)
    qs = reads.managed_datasets(official_organisation_id(user))
    return [dataset_out(user, d) for d in qs[paging.offset : paging.offset + paging.limit]]


@router.post("/datasets", response={201: OpendataDatasetOut}, summary="开放发布数据集")
def publish(request: HttpRequest, payload: OpendataDatasetIn) -> Status[OpendataDatasetOut]:
    user: User = request.user  # type: ignore[assignment]
    require_data_official(user)
    resource = Resource.objects.select_related("provider").filter(public_id=payload.resource_id).first()
    if resource is None:
        raise _not_found()
    values = payload.dict(exclude={"resource_id", "source"})
    dataset = services.publish_dataset(actor=user, resource=resource, source=payload.source, **values)
    return Status(201, dataset_out(user, reads.managed_datasets(dataset.publisher_id).get(pk=dataset.pk)))


@router.patch(
    "/datasets/{uuid:dataset_id}", response=OpendataDatasetOut, summary="更新数据集（重新生成文件）"
)
def update(request: HttpRequest, dataset_id: UUID, payload: OpendataDatasetPatchIn) -> OpendataDatasetOut:
    user: User = request.user  # type: ignore[assignment]
    dataset = _managed(user, dataset_id)
    services.update_dataset(dataset, actor=user, **payload.dict(exclude_unset=True))
    return dataset_out(user, reads.managed_datasets(dataset.publisher_id).get(pk=dataset.pk))


@router.post("/datasets/{uuid:dataset_id}/withdraw", response=OpendataDatasetOut, summary="撤回数据集")
def withdraw(request: HttpRequest, dataset_id: UUID, payload: OpendataReasonIn) -> OpendataDatasetOut:
    user: User = request.user  # type: ignore[assignment]
    dataset = _managed(user, dataset_id)
    services.withdraw_dataset(dataset, actor=user, reason=payload.reason)
    return dataset_out(user, reads.managed_datasets(dataset.publisher_id).get(pk=dataset.pk))


# --- keys (registered users) -------------------------------------------------------------------------
@router.get("/keys", response=list[OpendataKeyOut], summary="我的开放数据密钥")
def keys(request: HttpRequest) -> list[OpendataKeyOut]:
    return [OpendataKeyOut(**key_out(k)) for k in reads.keys_of(request.user)[:50]]


@router.post("/keys", response={201: OpendataIssuedKeyOut}, summary="申请开放数据密钥（密钥只显示一次）")
def issue(request: HttpRequest, payload: OpendataKeyIn) -> Status[OpendataIssuedKeyOut]:
    issued = services.issue_key(actor=request.user, name=payload.name)  # type: ignore[arg-type]
    return Status(201, OpendataIssuedKeyOut(**key_out(issued.key), key=issued.secret))


@router.post("/keys/{uuid:key_id}/revoke", response=OpendataKeyOut, summary="吊销密钥")
def revoke(request: HttpRequest, key_id: UUID) -> OpendataKeyOut:
    key = reads.keys_of(request.user).filter(public_id=key_id).first()
    if key is None:
        raise _not_found()
    return OpendataKeyOut(**key_out(services.revoke_key(key, actor=request.user)))  # type: ignore[arg-type]
